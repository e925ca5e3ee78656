/**
 * Sends outbound mail with nodemailer. Every mail carries our own Message-ID; file and URL access
 * are disabled so no template or attachment can read local files. Partial recipient rejections do
 * not throw: they are in the receipt. 5xx answers are permanent failures, and so are envelopes or
 * messages nodemailer refuses before any server answered (EENVELOPE, EMESSAGE without a response
 * code: a retry would build the same mail); everything else, 4xx included, retries.
 * Mail goes out over a pool of reused connections (`poolSize`). Health is cached: a background check (connect and log in) runs at most every
 * `verifyIntervalMs`, and a delivered mail also proves the server works, so a readiness probe
 * never opens an SMTP session itself.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { DeliveryError, type ChannelHealth, type DeliveryReceipt, type MailOutbound } from '../../../src/core/index.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  tls: boolean;
  user?: string;
  password?: string;
  /** Least time between two background checks of the server (default 60 s). */
  verifyIntervalMs?: number;
  /** Connections kept open and reused (default 1); as many mails as connections go out at once. */
  poolSize?: number;
}

const fmt = (a: { address: string; name?: string }) => (a.name ? { name: a.name, address: a.address } : a.address);

/** Errors nodemailer raises for an envelope or message that no retry can fix. */
const UNFIXABLE = new Set(['EENVELOPE', 'EMESSAGE']);

export function isPermanent(err: unknown): boolean {
  const { responseCode, code } = err as { responseCode?: number; code?: string };
  if (responseCode !== undefined) return responseCode >= 500 && responseCode < 600;
  return UNFIXABLE.has(code ?? '');
}

export class SmtpSender {
  private readonly transport: Transporter;
  private readonly verifyIntervalMs: number;
  private cached: ChannelHealth = { ok: false, detail: 'smtp not checked yet' };
  private checkedAt = -Infinity;
  private checking: Promise<void> | undefined;

  constructor(settings: SmtpSettings) {
    this.verifyIntervalMs = settings.verifyIntervalMs ?? 60_000;
    this.transport = nodemailer.createTransport({
      host: settings.host, port: settings.port, secure: settings.tls,
      ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
      // Pooled: a mail goes out on an open connection instead of a new connect, greeting and
      // (STARTTLS, AUTH) handshake each; a connection is replaced after 100 mails or an error.
      pool: true, maxConnections: settings.poolSize ?? 1, maxMessages: 100,
      disableFileAccess: true, disableUrlAccess: true,
      connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000,
    });
  }

  async send(message: MailOutbound, envelopeFrom?: string): Promise<DeliveryReceipt> {
    try {
      const info = await this.transport.sendMail({
        from: fmt(message.from),
        to: message.to.map(fmt),
        ...(message.replyTo ? { replyTo: fmt(message.replyTo) } : {}),
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: `<${message.messageId}>`,
        ...(message.inReplyTo ? { inReplyTo: `<${message.inReplyTo}>` } : {}),
        ...(message.references.length ? { references: message.references.map((r) => `<${r}>`) } : {}),
        headers: message.headers.map((h) => ({ key: h.name, value: h.value })),
        ...(envelopeFrom ? { envelope: { from: envelopeFrom, to: message.to.map((a) => a.address) } } : {}),
      });
      this.cached = { ok: true, detail: 'smtp delivered' };
      return {
        accepted: (info.accepted as unknown[]).map(String),
        rejected: (info.rejected as unknown[]).map(String),
        response: info.response,
      };
    } catch (err) {
      throw new DeliveryError(isPermanent(err), `smtp: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The last known state; starts a background check when the last one is older than the interval. */
  health(): ChannelHealth {
    if (!this.checking && Date.now() - this.checkedAt >= this.verifyIntervalMs) void this.check();
    return this.cached;
  }

  /** Connects and logs in once (never two at a time); the result becomes the cached health. */
  check(): Promise<void> {
    this.checking ??= (async () => {
      this.checkedAt = Date.now();
      try {
        await this.transport.verify();
        this.cached = { ok: true, detail: 'smtp reachable' };
      } catch (err) {
        this.cached = { ok: false, detail: `smtp: ${(err as Error).message}` };
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  close(): void {
    this.transport.close();
  }
}
