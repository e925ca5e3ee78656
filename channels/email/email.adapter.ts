/**
 * The email channel: an IMAP consumer (when a mailbox is configured) for intake and an SMTP sender
 * (when a server is configured) for delivery. The pipe and LMTP paths use the same intake.
 */
import type { ChannelAdapter, ChannelHealth, CheckpointStore, DeliveryReceipt, IntakeSink, Logger, OutboundMessage, BlobStore } from '../../src/core/index.ts';
import { ImapConsumer, type ImapSettings } from './imap.consumer.ts';
import { intakeRawMail } from './mail.intake.ts';
import type { MailLimits } from './mail.normalizer.ts';
import { SmtpSender, type SmtpSettings } from './smtp.sender.ts';

export interface EmailChannelSettings {
  supportAddress: string;
  limits: MailLimits;
  imap?: ImapSettings;
  smtp?: SmtpSettings;
}

export interface EmailChannelDeps {
  blobs: BlobStore;
  checkpoints: CheckpointStore;
  logger: Logger;
}

export class EmailChannel implements ChannelAdapter {
  readonly id = 'email';
  private consumer: ImapConsumer | undefined;
  private readonly sender: SmtpSender | undefined;

  constructor(private readonly settings: EmailChannelSettings, private readonly deps: EmailChannelDeps) {
    this.sender = settings.smtp?.host ? new SmtpSender(settings.smtp) : undefined;
  }

  async start(sink: IntakeSink): Promise<void> {
    if (this.consumer || !this.settings.imap) return;
    const logger = this.deps.logger.child({ component: 'imap' });
    const intake = { sink, logger, context: { blobs: this.deps.blobs, supportAddress: this.settings.supportAddress, limits: this.settings.limits } };
    this.consumer = new ImapConsumer(this.settings.imap, this.deps.checkpoints,
      (raw, source, checkpoint) => intakeRawMail(raw, source, intake, { checkpoint }), logger);
    this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
    this.sender?.close();
  }

  async deliver(message: OutboundMessage): Promise<DeliveryReceipt> {
    if (!this.sender) throw new Error('no SMTP server configured (SMTP_HOST)');
    return this.sender.send(message);
  }

  async health(): Promise<ChannelHealth> {
    const parts: ChannelHealth[] = [];
    if (this.settings.imap) parts.push(this.consumer ? this.consumer.health() : { ok: false, detail: 'imap not started' });
    if (this.sender) parts.push(await this.sender.health());
    if (!parts.length) return { ok: true, detail: 'email intake and sending not configured' };
    return { ok: parts.every((p) => p.ok), detail: parts.map((p) => p.detail).join('; ') };
  }
}
