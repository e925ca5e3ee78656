/**
 * Consumes one IMAP mailbox into the intake, exactly once per message:
 * - a supervisor owns the current ImapFlow; an instance can never reconnect, so on `close` a new
 *   one is built after exponential backoff with jitter;
 * - IDLE (imapflow idles by itself on a selected mailbox) pushes `exists`, and a periodic drain is
 *   the safety net;
 * - a drain locks the mailbox, compares UIDVALIDITY with the stored cursor (on change it rescans
 *   from 0 and idempotent ingest skips what is known), fetches `lastUid+1:*`, drops UIDs <= lastUid
 *   (`N:*` always returns the highest message), and for each: download, ingest, advance the cursor;
 * - only the holder of the mailbox lease consumes; the lease is renewed with every checkpoint.
 * `\Seen` is never used as truth: people read the mailbox too.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ImapFlow } from 'imapflow';
import {
  backoffDelay, CoalescedRun, crashPoint, noMetrics, type ChannelHealth, type CheckpointStore, type IngestResult, type Logger, type Metrics,
} from '../../../src/core/index.ts';
import { asMailboxCursor, type MailboxCursor } from './mailbox-cursor.ts';

export interface ImapSettings {
  host: string;
  port: number;
  tls: boolean;
  user: string;
  password?: string;
  mailbox: string;
  drainIntervalMs: number;
  leaseMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Mail over this size (as the server reports it before download) goes to `oversized`, streamed. */
  maxMessageBytes?: number;
}

/**
 * Parses a mail and stores its blobs; what it resolves to files it (or quarantines it) when called.
 * Never rejects: a failure to parse or store shows when the result is called.
 */
export type MailPreparer = (raw: Buffer, source: string) => Promise<() => Promise<IngestResult>>;
/** Takes a mail over the size limit as a stream (never buffered whole); resolves once it is kept. */
export type OversizedMailHandler = (content: Readable, size: number, source: string) => Promise<IngestResult>;

/**
 * imapflow commands can wait forever when the connection dies mid-command (postalsys/imapflow#252,
 * #262). Every command we issue runs under a deadline; a missed deadline closes the connection and
 * the supervisor builds a new one, resuming from the last checkpoint.
 */
const OPEN_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 120_000;

/**
 * Mails per FETCH and per checkpoint, and their bytes at most (one mail over the byte budget makes
 * a batch of its own). A crash takes at most one batch again, as duplicates.
 */
const BATCH_MAILS = 20;
const BATCH_BYTES = 16 * 1024 * 1024;
/** Mails parsed ahead of the one being filed: parsing runs in worker threads, filing here. */
const LOOKAHEAD = 2;

/** Splits UIDs (ascending) into batches by count and listed size. */
export function batches(uids: readonly number[], sizes: ReadonlyMap<number, number>): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const uid of uids) {
    const size = sizes.get(uid) ?? 0;
    if (current.length && (current.length >= BATCH_MAILS || bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(uid);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}


export class ImapConsumer {
  private client: ImapFlow | undefined;
  private stopped = true;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private connected = false;
  private lastError = '';
  private readonly owner = `imap-${randomUUID()}`;
  private readonly key: string;

  constructor(
    private readonly settings: ImapSettings,
    private readonly checkpoints: CheckpointStore,
    private readonly prepare: MailPreparer,
    private readonly logger: Logger,
    private readonly metrics: Metrics = noMetrics,
    private readonly oversized?: OversizedMailHandler,
  ) {
    this.key = `${settings.user}@${settings.host}:${settings.port}/${settings.mailbox}`;
  }

  /** Starts consuming; returns at once (connection happens in the background). Idempotent. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Stops after the message in flight is checkpointed; releases the lease. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.drainTimer);
    clearInterval(this.leaseTimer);
    await this.drains.idle();
    const client = this.client;
    this.client = undefined;
    if (client) await client.logout().catch(() => client.close());
    await this.checkpoints.releaseLease(this.key, this.owner).catch(() => {});
  }

  health(): ChannelHealth {
    if (this.connected) return { ok: true, detail: `consuming ${this.settings.mailbox} on ${this.settings.host}` };
    return { ok: false, detail: `imap not connected${this.lastError ? `: ${this.lastError}` : ''}` };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.failures++;
    this.metrics.reconnect('email', 'imap');
    const delay = backoffDelay(this.failures, this.settings.reconnectMinMs, this.settings.reconnectMaxMs);
    this.logger.info({ delay, failures: this.failures }, 'imap reconnect scheduled');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!(await this.checkpoints.acquireLease(this.key, this.owner, this.settings.leaseMs))) {
        this.lastError = 'another gateway process holds this mailbox';
        this.logger.info({ mailbox: this.key }, 'mailbox lease held elsewhere; waiting');
        this.failures = 0;
        this.reconnectTimer = setTimeout(() => void this.connect(), Math.max(1000, this.settings.leaseMs / 2));
        return;
      }
    } catch (err) {
      this.lastError = `lease: ${(err as Error).message}`;
      this.scheduleReconnect();
      return;
    }
    const client = new ImapFlow({
      host: this.settings.host, port: this.settings.port, secure: this.settings.tls,
      auth: { user: this.settings.user, pass: this.settings.password ?? '' },
      // imapflow logs through our pino child (its protocol chatter is at debug level).
      logger: this.logger.child({ component: 'imapflow' }) as never, connectionTimeout: 30_000,
    });
    // Listeners go on before connect(): an early error must not be an unhandled 'error' event.
    client.on('error', (err: Error) => {
      this.lastError = err.message;
      this.logger.warn({ err: err.message }, 'imap error');
    });
    client.on('close', () => this.onClose(client));
    client.on('exists', () => this.requestDrain());
    this.client = client;
    try {
      // A server that accepts the socket but never answers must not stall the consumer forever.
      await withTimeout((async () => {
        await client.connect();
        await client.mailboxOpen(this.settings.mailbox);
      })(), OPEN_TIMEOUT_MS, 'imap connect and select');
    } catch (err) {
      this.lastError = (err as Error).message;
      this.logger.warn({ err: this.lastError }, 'imap connect failed');
      client.close();
      return; // 'close' schedules the reconnect
    }
    if (this.stopped || this.client !== client) return void client.logout().catch(() => {});
    this.connected = true;
    this.failures = 0;
    this.lastError = '';
    this.logger.info({ mailbox: this.settings.mailbox }, 'imap connected');
    clearInterval(this.drainTimer);
    this.drainTimer = setInterval(() => this.requestDrain(), this.settings.drainIntervalMs);
    clearInterval(this.leaseTimer);
    this.leaseTimer = setInterval(() => void this.renewLease(client), Math.max(500, this.settings.leaseMs / 3));
    this.requestDrain();
  }

  private onClose(client: ImapFlow): void {
    if (this.client !== client) return;
    this.connected = false;
    this.client = undefined;
    clearInterval(this.drainTimer);
    clearInterval(this.leaseTimer);
    this.logger.info('imap connection closed');
    this.scheduleReconnect();
  }

  private async renewLease(client: ImapFlow): Promise<void> {
    const ok = await this.checkpoints.acquireLease(this.key, this.owner, this.settings.leaseMs).catch(() => false);
    if (!ok && this.client === client) {
      this.logger.warn('mailbox lease lost; disconnecting');
      client.close();
    }
  }

  /** Coalesces drain requests: at most one drain runs, and one more follows if asked meanwhile. */
  private requestDrain(): void {
    if (!this.stopped) this.drains.request();
  }

  private readonly drains = new CoalescedRun(async () => {
    if (this.stopped) return;
    const client = this.client;
    await this.drain().catch((err) => {
      if (/timed out/.test((err as Error).message)) client?.close();
      this.lastError = (err as Error).message;
      this.logger.warn({ err: this.lastError }, 'imap drain stopped; will retry');
    });
  });

  private async drain(): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) return;
    const lock = await withTimeout(client.getMailboxLock(this.settings.mailbox), COMMAND_TIMEOUT_MS, 'imap lock');
    try {
      // Without a command the server tells us nothing: the periodic drain must ask (NOOP brings
      // the untagged EXISTS), or a client that never gets to IDLE would never see new mail.
      await withTimeout(client.noop(), COMMAND_TIMEOUT_MS, 'imap noop');
      const mailbox = client.mailbox;
      if (!mailbox) return;
      const uidValidity = Number(mailbox.uidValidity);
      const cursor = asMailboxCursor(await this.checkpoints.load(this.key));
      let lastUid = cursor && cursor.uidValidity === uidValidity ? cursor.lastUid : 0;
      if (cursor && cursor.uidValidity !== uidValidity) {
        this.logger.warn({ was: cursor.uidValidity, now: uidValidity }, 'UIDVALIDITY changed; rescanning the mailbox');
      }
      if (!cursor || cursor.uidValidity !== uidValidity) await this.checkpoint({ uidValidity, lastUid: 0 });
      if (!mailbox.exists) return;
      // Never run commands inside a `for await` over fetch(): fetchAll first, then work.
      // The size comes with the listing: a mail over the limit is never downloaded into memory.
      const listed = await withTimeout(client.fetchAll(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true }), COMMAND_TIMEOUT_MS, 'imap fetch');
      const sizes = new Map(listed.map((m) => [m.uid, m.size ?? 0]));
      const uids = listed.map((m) => m.uid).filter((uid) => uid > lastUid).sort((a, b) => a - b);
      for (const batch of batches(uids, sizes)) {
        if (this.stopped || this.client !== client) return;
        lastUid = await this.takeBatch(client, batch, sizes, uidValidity, lastUid);
      }
    } finally {
      lock.release();
    }
  }

  /**
   * Takes one batch in UID order: one FETCH brings every mail of it, the next mails are parsed and
   * their blobs stored while the current one is filed (`LOOKAHEAD`), yet each is filed only after
   * the one before it. The cursor moves once per batch, to the last mail filed: a crash before that
   * takes those mails again, and the idempotent ingest answers `duplicate`. Returns the new lastUid.
   */
  private async takeBatch(client: ImapFlow, batch: number[], sizes: Map<number, number>, uidValidity: number, lastUid: number): Promise<number> {
    const limit = this.settings.maxMessageBytes;
    const oversized = (uid: number) => Boolean(this.oversized) && limit !== undefined && (sizes.get(uid) ?? 0) > limit;
    const wanted = batch.filter((uid) => !oversized(uid));
    const sources = new Map<number, Buffer>();
    if (wanted.length) {
      const fetched = await withTimeout(client.fetchAll(wanted.join(','), { uid: true, source: true }, { uid: true }), COMMAND_TIMEOUT_MS, `imap fetch of ${wanted.length} messages`);
      for (const m of fetched) if (m.source) sources.set(m.uid, m.source);
    }
    const prepared = new Map<number, Promise<() => Promise<IngestResult>>>();
    const prepare = (from: number) => {
      for (const uid of batch.slice(from, from + 1 + LOOKAHEAD)) {
        const raw = sources.get(uid);
        if (raw && !prepared.has(uid)) prepared.set(uid, this.prepare(raw, this.source(uidValidity, uid)));
      }
    };
    let done = lastUid;
    try {
      for (const [index, uid] of batch.entries()) {
        if (this.stopped || this.client !== client) break;
        if (oversized(uid)) {
          const result = await withTimeout(this.takeOversized(client, uid, sizes.get(uid)!, uidValidity), COMMAND_TIMEOUT_MS, `imap download of uid ${uid}`);
          this.logger.warn({ uid, size: sizes.get(uid), outcome: result.outcome }, 'imap message over the size limit');
          done = uid;
          continue;
        }
        prepare(index);
        const file = prepared.get(uid);
        if (!file) {
          // Expunged between listing and fetch: nothing to take, move on.
          this.logger.info({ uid }, 'imap message vanished before download');
          done = uid;
          continue;
        }
        const result = await (await file)();
        crashPoint('imap.before-checkpoint');
        done = uid;
        this.logger.debug({ uid, outcome: result.outcome, ticket: result.ticketNumber }, 'imap message taken');
      }
    } finally {
      // Also when a mail failed or the consumer stops: what was filed before it is not taken again.
      if (done > lastUid) await this.checkpoint({ uidValidity, lastUid: done });
    }
    return done;
  }

  private source(uidValidity: number, uid: number): string {
    return `imap:${this.settings.mailbox}:${uidValidity}:${uid}`;
  }

  /** Streams an oversized mail straight into its handler (the blob store), never holding it whole. */
  private async takeOversized(client: ImapFlow, uid: number, size: number, uidValidity: number): Promise<IngestResult> {
    const download = await client.download(String(uid), undefined, { uid: true });
    const source = this.source(uidValidity, uid);
    if (!download?.content) return { outcome: 'ignored', reason: 'vanished before download' };
    return this.oversized!(download.content, size, source);
  }

  private async checkpoint(cursor: MailboxCursor): Promise<void> {
    if (!(await this.checkpoints.save(this.key, this.owner, cursor, this.settings.leaseMs))) {
      this.client?.close();
      throw new Error('mailbox lease lost before checkpoint');
    }
  }
}
