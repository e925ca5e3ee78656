/**
 * The email channel: an IMAP consumer (when a mailbox is configured) and an LMTP listener (when a
 * port is configured) for intake, and an SMTP sender (when a server is configured) for delivery.
 * The pipe command uses the same intake.
 */
import type {
  BlobStore, ChannelAdapter, ChannelHealth, CheckpointStore, DeliveryResult, IngestResult, IntakeSink, Logger, MailOutbound, Metrics,
} from '../../src/core/index.ts';
import type { ImapConsumer, ImapSettings } from './transport/imap.consumer.ts';
import type { LmtpListener } from './transport/lmtp.server.ts';
import { intakeRawMail, prepareRawMail, type IntakeOptions, type MailIntakeDeps } from './mail.intake.ts';
import { warmParseWorkers } from './parse/parse-pool.ts';
import type { MailLimits } from './parse/mail.normalizer.ts';
import type { SmtpSender, SmtpSettings } from './transport/smtp.sender.ts';

// The transports (imapflow, smtp-server, nodemailer) load when first used: `helpdesk pipe` and
// quarantine retry only take mail in through intake() and would load them at every call for nothing.

export interface EmailChannelSettings {
  supportAddress: string;
  limits: MailLimits;
  imap?: ImapSettings;
  smtp?: SmtpSettings;
  /** authserv-ids whose Authentication-Results headers are believed (our own MTA's). */
  trustedAuthservIds?: readonly string[];
  /** Push delivery from an MTA. Loopback or a private network only: there is no TLS and no AUTH. */
  lmtp?: { host: string; port: number; acceptedAddresses: string[] };
}

export interface EmailChannelDeps {
  blobs: BlobStore;
  checkpoints: CheckpointStore;
  logger: Logger;
  /** Where IMAP reconnects are counted; nothing is kept when absent. */
  metrics?: Metrics;
}

export class EmailChannel implements ChannelAdapter<MailOutbound> {
  readonly id = 'email';
  private consumer: ImapConsumer | undefined;
  private lmtp: LmtpListener | undefined;
  private started = false;
  private sender: SmtpSender | undefined;
  private senderLoad: Promise<SmtpSender> | undefined;
  private readonly context: MailIntakeDeps['context'];

  constructor(private readonly settings: EmailChannelSettings, private readonly deps: EmailChannelDeps) {
    this.context = {
      blobs: deps.blobs, supportAddress: settings.supportAddress, limits: settings.limits,
      trustedAuthservIds: settings.trustedAuthservIds ?? [],
    };
  }

  /**
   * Takes one raw mail the way IMAP and LMTP do; the pipe command, quarantine retry and tests use it
   * without starting the channel.
   */
  intake(raw: Buffer, source: string, sink: IntakeSink, options: IntakeOptions = {}): Promise<IngestResult> {
    return intakeRawMail(raw, source, this.intakeDeps(sink, source.split(':')[0]!), options);
  }

  private intakeDeps(sink: IntakeSink, component: string): MailIntakeDeps {
    return { sink, context: this.context, logger: this.deps.logger.child({ component }) };
  }

  /** The SMTP sender, created on first use; undefined when no server is configured. */
  private smtp(): Promise<SmtpSender> | undefined {
    const settings = this.settings.smtp;
    if (!settings?.host) return undefined;
    this.senderLoad ??= import('./transport/smtp.sender.ts').then(({ SmtpSender }) => (this.sender = new SmtpSender(settings)));
    return this.senderLoad;
  }

  async start(sink: IntakeSink): Promise<void> {
    if (this.started) return;
    void (await this.smtp())?.check(); // readiness knows about SMTP soon after start, without waiting for it
    const intake = (component: string) => this.intakeDeps(sink, component);
    // Mail will arrive: start the parse workers now (each loads its modules, about a second of
    // CPU), not when the first mail is waiting for one.
    if (this.settings.lmtp || this.settings.imap) warmParseWorkers();
    if (this.settings.lmtp) {
      // First, so a port that cannot be bound fails the start before anything else runs.
      const { LmtpListener } = await import('./transport/lmtp.server.ts');
      const listener = new LmtpListener(this.settings.lmtp, intake('lmtp'));
      await listener.start();
      this.lmtp = listener;
    }
    if (this.settings.imap) {
      const deps = intake('imap');
      const limit = this.settings.limits.maxMessageBytes;
      const { ImapConsumer } = await import('./transport/imap.consumer.ts');
      this.consumer = new ImapConsumer({ ...this.settings.imap, maxMessageBytes: limit }, this.deps.checkpoints,
        (raw, source) => prepareRawMail(raw, source, deps), deps.logger, this.deps.metrics,
        async (content, size, source) => {
          // Kept whole in the blob store for an admin (`helpdesk quarantine retry` with a higher limit).
          const blob = await this.deps.blobs.put(content, { filename: 'message.eml', contentType: 'message/rfc822' });
          const reason = `too-large: message is ${size} bytes, over the ${limit}-byte limit`;
          await sink.quarantine({ channel: 'email', source, reason, blob });
          return { outcome: 'quarantined', reason };
        });
      this.consumer.start();
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    await this.lmtp?.stop();
    this.lmtp = undefined;
    await this.consumer?.stop();
    this.consumer = undefined;
    this.started = false;
    (await this.senderLoad)?.close();
  }

  /** The LMTP listener's bound port (useful with port 0), or undefined when it is not running. */
  lmtpPort(): number | undefined {
    return this.lmtp?.port();
  }

  canDeliver(): boolean {
    return Boolean(this.settings.smtp?.host);
  }

  /** Throws DeliveryError (permanent or not) when the server refuses; the dispatcher records it. */
  async deliver(message: MailOutbound): Promise<DeliveryResult> {
    const sender = await this.smtp();
    if (!sender) return { status: 'retry', error: 'no SMTP server configured (SMTP_HOST)' };
    return { status: 'delivered', receipt: await sender.send(message, message.envelopeFrom) };
  }

  async health(): Promise<ChannelHealth> {
    const parts: ChannelHealth[] = [];
    if (this.settings.imap) parts.push(this.consumer ? this.consumer.health() : { ok: false, detail: 'imap not started' });
    if (this.settings.lmtp) parts.push(this.lmtp ? this.lmtp.health() : { ok: false, detail: 'lmtp not started' });
    if (this.settings.smtp?.host) {
      // Not loaded yet (a channel asked before its start): load it, and its health check starts.
      if (!this.sender) void this.smtp()?.then((sender) => sender.health());
      parts.push(this.sender?.health() ?? { ok: false, detail: 'smtp not checked yet' });
    }
    if (!parts.length) return { ok: true, detail: 'email intake and sending not configured' };
    return { ok: parts.every((p) => p.ok), detail: parts.map((p) => p.detail).join('; ') };
  }
}
