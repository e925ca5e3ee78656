/**
 * Delivers outbox entries through the adapter named by each entry's channel tag. A pass claims due
 * entries in batches (one scan and one insert per batch, see OutboxRepository), sends up to
 * `concurrency` at a time (the entries of one ticket one after another, in order), and records
 * the results in group commits. Everything it claimed is covered by one lease (SenderLease): if
 * this process dies mid-send, another (or the restarted one) takes the entry once the lease has
 * run out. The adapter's DeliveryResult decides what follows: delivered; not connected (a live
 * recipient is away: the entry is undelivered and the `away` hook hears of it, e.g. to mail the
 * visitor a digest later); retry later, with exponential backoff and jitter until attempts run
 * out; or failed for good (until an agent resends it: TicketActions.resend). A thrown
 * DeliveryError is permanent or not as it says; anything else thrown retries. Every result is
 * recorded only while its claim is still the entry's current one.
 */
import { CoalescedRun } from './coalesced-run.ts';
import { crashPoint } from './crash-points.ts';
import { DeliveryError } from './errors.ts';
import type { Logger } from './logger.ts';
import { noMetrics, type Metrics } from './metrics.ts';
import { SenderLease } from './outbox-lease.ts';
import { OutboxSettler } from './outbox-settler.ts';
import type { ChannelAdapter, Clock, OutboxRepository, OutboxSettlement } from './ports.ts';
import type { ChatOutbound, DeliveryResult, OutboxEntry } from './types.ts';

export interface DispatcherSettings {
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
  /** Sends in flight at once (default 4). */
  concurrency?: number;
}

/** Entries moved per pass from where older versions kept finished ones (see moveFinished). */
const MOVE_PER_PASS = 500;

/** Hears of live messages whose recipient was not connected (chat/chat-digest.service.ts). */
export interface AwayRecipients {
  missed(entry: ChatOutbound): Promise<void>;
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2); // "equal jitter": never less than half
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Until older versions' finished entries are all moved out of the queue (one bounded move per pass). */
  private moving = true;
  /** Due entries another sender holds, and until when at least: not looked at before then. */
  private readonly heldElsewhere = new Map<string, number>();
  private readonly lease: SenderLease;
  private readonly settler: OutboxSettler;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly channels: ReadonlyMap<string, ChannelAdapter>,
    private readonly settings: DispatcherSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics = noMetrics,
    private readonly away?: AwayRecipients,
  ) {
    this.lease = new SenderLease(outbox, settings.leaseMs, clock, logger);
    this.settler = new OutboxSettler(outbox);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.passes.idle();
  }

  /** Runs a pass now (e.g. right after something was queued) instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.passes.request();
  }

  private readonly passes = new CoalescedRun(
    () => (this.stopped ? Promise.resolve() : this.drain().then(() => undefined, (err: unknown) => this.logger.error({ err }, 'outbox pass failed'))),
    (rerun) => {
      if (rerun || this.stopped) return;
      // The next poll, unless a kick comes first.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.kick(), this.settings.pollIntervalMs);
      this.timer.unref?.();
    },
  );

  /** Sends every due entry; returns how many were attempted. */
  async drain(): Promise<number> {
    // Only channels that can send now: an entry for one that cannot stays pending, unattempted,
    // instead of burning its attempts and ending up failed.
    const deliverable = [...this.channels.values()].filter((c) => c.deliver && (c.canDeliver?.() ?? true)).map((c) => c.id);
    if (!deliverable.length) return 0;
    if (this.moving) this.moving = (await this.outbox.moveFinished(MOVE_PER_PASS)) === MOVE_PER_PASS;
    try {
      return await this.pass(deliverable);
    } finally {
      // Before the lease goes: what this pass sent leaves the queue (see OutboxRepository.sweep).
      await this.outbox.sweep().catch((err: unknown) => this.logger.warn({ err }, 'sent outbox entries not swept (the next claim does it)'));
      await this.lease.end();
    }
  }

  private async pass(channels: string[]): Promise<number> {
    const concurrency = Math.max(1, this.settings.concurrency ?? 4);
    const batch = Math.max(32, concurrency * 16);
    const queue: { entry: OutboxEntry; claimedAt: number }[] = [];
    const held = new Set<string>(); // claimed by this pass and not yet recorded
    const busyTickets = new Set<string>();
    const running = new Set<Promise<void>>();
    let exhausted = false;
    let failure: unknown;
    let claiming: Promise<void> | undefined;
    let count = 0;
    // A dispatcher that was never started (a test's drain) sends one batch; a stopping one starts nothing new.
    const single = this.stopped;
    const halted = () => (single ? count > 0 : this.stopped);
    /** The next batch is claimed while the last one is still sending (its round trips overlap the sends). */
    const refill = () => {
      if (claiming || exhausted || halted() || queue.length > batch / 2) return;
      claiming = (async () => {
        const now = this.clock.now();
        for (const [id, until] of this.heldElsewhere) if (until <= now.getTime()) this.heldElsewhere.delete(id);
        let claimedAt = Infinity;
        const { claimed, heldElsewhere } = await this.outbox.claimDue(now, {
          limit: batch, channels, sender: this.lease.id, leaseMs: this.settings.leaseMs, exclude: [...held, ...this.heldElsewhere.keys()],
          // The lease is written before any claim names it (an idle poll writes nothing).
          beforeClaim: async () => { await this.lease.hold(); claimedAt = this.lease.now(); },
        });
        for (const h of heldElsewhere) this.heldElsewhere.set(h.id, h.until.getTime());
        if (!claimed.length) exhausted = true;
        for (const entry of claimed) {
          queue.push({ entry, claimedAt });
          held.add(entry.id);
        }
        count += claimed.length;
      })().catch((err: unknown) => { failure = err; exhausted = true; }).finally(() => { claiming = undefined; });
    };
    for (;;) {
      refill();
      // Start what may start: a free slot, and no earlier entry of the same ticket still sending.
      for (let i = 0; i < queue.length && running.size < concurrency && (single || !this.stopped); ) {
        const { entry, claimedAt } = queue[i]!;
        if (busyTickets.has(entry.ticketId)) { i++; continue; }
        queue.splice(i, 1);
        busyTickets.add(entry.ticketId);
        const job = this.send(entry, claimedAt).finally(() => {
          busyTickets.delete(entry.ticketId);
          held.delete(entry.id);
          running.delete(job);
        });
        running.add(job);
      }
      const waits = [...running, ...(claiming ? [claiming] : [])];
      if (!waits.length) {
        if (exhausted || halted() || !queue.length) break;
        continue;
      }
      await Promise.race(waits);
    }
    await Promise.all(running);
    if (failure) throw failure;
    return count;
  }

  /** One attempt: not started when the lease broke since the claim (the entry may be someone else's now). */
  private async send(entry: OutboxEntry, claimedAt: number): Promise<void> {
    const log = this.logger.child({ outbox: entry.id, ticket: entry.ticketNumber, channel: entry.channel });
    if (!this.lease.heldSince(claimedAt)) {
      log.warn('outbox lease lapsed before the send: left for the next claim');
      return;
    }
    const channel = this.channels.get(entry.channel)!;
    let result: DeliveryResult;
    try {
      crashPoint('outbox.before-send');
      result = await channel.deliver!(entry);
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      result = err instanceof DeliveryError && err.permanent ? { status: 'failed', error } : { status: 'retry', error };
    }
    try {
      await this.record(entry, result, !this.lease.heldSince(claimedAt), log);
    } catch (err) {
      log.error({ err }, 'outbox result not recorded (the entry is sent again once its lease is free)');
    }
  }

  /** Records what the adapter said, fenced by the claim (false: another sender holds it now). */
  private async record(entry: OutboxEntry, result: DeliveryResult, verify: boolean, log: Logger): Promise<void> {
    const now = this.clock.now();
    const settle = async (s: OutboxSettlement, done: () => void) => {
      if (await this.settler.record(s)) done();
      else log.warn({ result: result.status }, 'the claim had passed to another sender: its result stands');
    };
    switch (result.status) {
      case 'delivered':
        return settle({ entry, status: 'sent', receipt: result.receipt, at: now, verify }, () => {
          log.info({ accepted: result.receipt.accepted, rejected: result.receipt.rejected }, 'delivered');
        });
      case 'not-connected':
        // The away hook first: a crash between the two writes leaves the entry claimable, and
        // the hook is idempotent (a repeat of the same miss schedules nothing new).
        if (entry.channel === 'chat') await this.away?.missed(entry);
        return settle({ entry, status: 'undelivered', error: result.detail, at: now, verify }, () => log.info({ detail: result.detail }, 'recipient not connected'));
      case 'failed':
        this.metrics.deliveryFailed(entry.channel, true);
        return settle({ entry, status: 'failed', error: result.error, at: now, verify }, () => {
          log.error({ err: result.error, attempts: entry.attempts }, 'delivery failed for good');
        });
      case 'retry': {
        // An agent's resend starts a fresh budget: count only the attempts since.
        const final = entry.attempts - (entry.attemptsBeforeResend ?? 0) >= this.settings.maxAttempts;
        this.metrics.deliveryFailed(entry.channel, final);
        if (final) {
          return settle({ entry, status: 'failed', error: result.error, at: now, verify }, () => {
            log.error({ err: result.error, attempts: entry.attempts }, 'delivery failed for good');
          });
        }
        const delay = backoffDelay(entry.attempts, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
        return settle({ entry, status: 'retry', error: result.error, nextAttemptAt: new Date(now.getTime() + delay), verify }, () => {
          log.warn({ err: result.error, attempts: entry.attempts, retryInMs: delay }, 'delivery failed, will retry');
        });
      }
    }
  }
}
