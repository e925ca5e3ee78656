/** Builds real RFC 822 mail for tests with nodemailer's own composer. */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

export interface TestMail extends Mail.Options {
  messageId?: string;
}

export async function buildMail(options: TestMail): Promise<Buffer> {
  const mail = new MailComposer({
    from: 'Customer <customer@example.org>', to: 'support@helpdesk.test', subject: 'Printer on fire', text: 'Please help.',
    ...options,
  });
  return mail.compile().build();
}
