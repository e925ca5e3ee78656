/**
 * Optional LMTP listener (RFC 2033): an MTA such as Postfix (`lmtp:` transport) pushes mail straight
 * to the gateway instead of it polling IMAP. Every message takes the same path as IMAP and the pipe
 * (`intakeRawMail`), once per message however many recipients it has, and is confirmed only after
 * ingest resolved. LMTP answers DATA once per accepted recipient; they all carry the one outcome:
 * stored, duplicate, ignored and quarantined give 250 (the bytes are kept, the MTA must not retry);
 * a store outage or any unexpected error gives 451 so the MTA keeps the mail and retries.
 *
 * As the final delivery agent it prepends `Return-Path` (envelope sender; `<>` marks a bounce) and
 * one `Delivered-To` per recipient (where a reply token in the envelope is found), as Dovecot does.
 *
 * There is no TLS and no AUTH: bind it to loopback or a private network only and never expose it
 * to the internet, where anyone could file tickets through it.
 */
import type { AddressInfo } from 'node:net';
import {
  SMTPServer, type SMTPServerAddress, type SMTPServerDataResult, type SMTPServerDataStream, type SMTPServerSession,
} from 'smtp-server';
import { ErrorCodes, type ChannelHealth, type HelpdeskError, type IngestResult } from '../../../src/core/index.ts';
import { intakeRawMail, type MailIntakeDeps } from '../mail.intake.ts';

export interface LmtpSettings {
  host: string;
  /** 0 takes a free port; see `port()`. */
  port: number;
  /** Recipients that are ours; each is also taken with a `+detail` local part (reply tokens). */
  acceptedAddresses: string[];
  /** How long `stop()` waits for open sessions before it closes them with 421. */
  closeTimeoutMs?: number;
}

type DataCallback = (err?: Error | null, message?: string | SMTPServerDataResult[]) => void;

const reply = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });
const headerAddress = (address: string) => address.replace(/[\r\n<>]/g, '');

/** True when `address` is one of `accepted` or its plus-address (`local+detail@domain`, split at the first `+`). */
export function isOurRecipient(address: string, accepted: ReadonlySet<string>): boolean {
  const lower = address.toLowerCase();
  if (accepted.has(lower)) return true;
  const at = lower.lastIndexOf('@');
  const plus = lower.indexOf('+');
  return plus > 0 && plus < at && accepted.has(lower.slice(0, plus) + lower.slice(at));
}

/** Text of the 250 reply for an ingest outcome (one line; smtp-server adds `250 2.6.0`). */
function okText(result: IngestResult): string {
  const ticket = result.ticketNumber !== undefined ? ` ticket #${result.ticketNumber}` : '';
  if (result.outcome === 'quarantined') return `OK quarantined: ${result.reason.slice(0, 200)}`;
  return `OK ${result.outcome}${ticket}`;
}

export class LmtpListener {
  private server: SMTPServer | undefined;
  private readonly accepted: ReadonlySet<string>;

  constructor(private readonly settings: LmtpSettings, private readonly deps: MailIntakeDeps) {
    this.accepted = new Set(settings.acceptedAddresses.map((a) => a.toLowerCase()));
  }

  /** Listens on host:port; rejects when the port cannot be bound. Idempotent. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      lmtp: true,
      banner: 'helpdesk gateway LMTP',
      logger: false,
      hideENHANCEDSTATUSCODES: false, // `250 2.6.0`, `550 5.1.1`, `451 4.3.0`, `552 5.3.4`: MTAs put them in their DSNs
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      size: this.deps.context.limits.maxMessageBytes,
      rejectOversized: true, // 552 5.3.4 per recipient, whatever onData answers
      closeTimeout: this.settings.closeTimeoutMs ?? 5_000,
      onRcptTo: (address, _session, callback) => this.onRcptTo(address, callback),
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    });
    // Connection-level errors (client resets, timeouts) are emitted here; without a listener they would crash.
    server.on('error', (err) => this.deps.logger.warn({ err }, 'lmtp connection error'));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.settings.port, this.settings.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.deps.logger.info({ host: this.settings.host, port: this.port() }, 'lmtp listening');
  }

  /** Stops accepting, lets open sessions finish (up to closeTimeoutMs). Idempotent. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The bound port, once listening. */
  port(): number | undefined {
    return (this.server?.server.address() as AddressInfo | null)?.port;
  }

  health(): ChannelHealth {
    const port = this.port();
    return port ? { ok: true, detail: `lmtp listening on ${this.settings.host}:${port}` } : { ok: false, detail: 'lmtp not listening' };
  }

  private onRcptTo(address: SMTPServerAddress, callback: (err?: Error | null) => void): void {
    if (isOurRecipient(address.address, this.accepted)) return callback();
    callback(reply(550, `unknown recipient <${headerAddress(address.address)}>`));
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: DataCallback): void {
    const chunks: Buffer[] = [];
    let answered = false;
    const answer: DataCallback = (err, message) => {
      if (answered) return;
      answered = true;
      callback(err, message);
    };
    stream.on('data', (chunk: Buffer) => {
      if (!stream.sizeExceeded) chunks.push(chunk); // keep memory bounded; the message is refused anyway
    });
    stream.once('error', (err) => {
      this.deps.logger.warn({ err }, 'lmtp data stream failed');
      answer(reply(451, 'try again later: message not received completely'));
    });
    stream.once('end', () => {
      if (stream.sizeExceeded) {
        answer(reply(552, `message exceeds the ${this.deps.context.limits.maxMessageBytes}-byte limit`));
        return;
      }
      this.deliver(Buffer.concat(chunks), session).then((result) => answer(null, result), (err: unknown) => {
        this.deps.logger.error({ err }, 'lmtp: delivery failed');
        answer(reply(451, 'try again later: local error'));
      });
    });
  }

  /** One intake per message, then one reply per recipient (all equal: there was one ingest). */
  private async deliver(body: Buffer, session: SMTPServerSession): Promise<SMTPServerDataResult[]> {
    const { mailFrom, rcptTo } = session.envelope;
    const trace = [
      `Return-Path: <${mailFrom ? headerAddress(mailFrom.address) : ''}>`,
      ...rcptTo.map((r) => `Delivered-To: ${headerAddress(r.address)}`),
    ].join('\r\n');
    const raw = Buffer.concat([Buffer.from(`${trace}\r\n`), body]);
    const log = this.deps.logger.child({ recipients: rcptTo.map((r) => r.address) });
    let outcome: SMTPServerDataResult;
    try {
      const result = await intakeRawMail(raw, 'lmtp', this.deps);
      log.info({ outcome: result.outcome, ticket: result.ticketNumber }, 'lmtp message accepted');
      outcome = okText(result);
    } catch (err) {
      const transient = (err as HelpdeskError).code === ErrorCodes.TRANSIENT;
      if (transient) log.warn({ err }, 'lmtp: store unavailable, asking the MTA to retry');
      else log.error({ err }, 'lmtp: unexpected intake failure, asking the MTA to retry');
      outcome = reply(451, transient ? 'try again later: store unavailable' : 'try again later: local error');
    }
    return rcptTo.map(() => outcome);
  }
}
