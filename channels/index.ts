/** The explicit channel registry: one factory per channel id. */
export { EmailChannel, type EmailChannelSettings, type EmailChannelDeps } from './email/email.adapter.ts';
export { intakeRawMail, type MailIntakeDeps } from './email/mail.intake.ts';
export { displayHtml, type DisplayOptions } from './email/html-display.ts';
