/**
 * Delivers outbox entries through the adapter named by each entry's channel tag, one claimed entry
 * at a time. A claim is a lease: if this process dies mid-send, another (or the restarted one)
 * takes the entry again after the lease runs out. The adapter's DeliveryResult decides what
 * follows: delivered; not connected (a live recipient is away: the entry is undelivered and the
 * `away` hook hears of it, e.g. to mail the visitor a digest later); retry later, with exponential backoff and jitter until attempts run out; or failed
 * for good (until an agent resends it: TicketActions.resend). A thrown DeliveryError is permanent or not as it says; anything else thrown retries.
 * Every update after the claim is fenced by its claim token, and a long send keeps renewing its lease.
 */
import { CoalescedRun } from './coalesced-run.ts';
import { crashPoint } from './crash-points.ts';
import { DeliveryError } from './errors.ts';
import type { Logger } from './logger.ts';
import { noMetrics, type Metrics } from './metrics.ts';
import type { ChannelAdapter, Clock, OutboxRepository } from './ports.ts';
import type { ChatOutbound, DeliveryResult, OutboxEntry } from './types.ts';

export interface DispatcherSettings {
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
}

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

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly channels: ReadonlyMap<string, ChannelAdapter>,
    private readonly settings: DispatcherSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics = noMetrics,
    private readonly away?: AwayRecipients,
  ) {}

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
    let count = 0;
    for (;;) {
      const entry = await this.outbox.claimDue(this.clock.now(), this.settings.leaseMs, deliverable);
      if (!entry) break;
      count++;
      const log = this.logger.child({ outbox: entry.id, ticket: entry.ticketNumber, channel: entry.channel });
      const channel = this.channels.get(entry.channel)!;
      const token = entry.claimToken ?? '';
      const renewal = this.keepLease(entry.id, token, log);
      let result: DeliveryResult;
      try {
        crashPoint('outbox.before-send');
        result = await channel.deliver!(entry);
      } catch (err) {
        const error = (err as Error)?.message ?? String(err);
        result = err instanceof DeliveryError && err.permanent ? { status: 'failed', error } : { status: 'retry', error };
      } finally {
        clearInterval(renewal);
      }
      await this.record(entry, result, log);
      if (this.stopped) break;
    }
    return count;
  }

  /** A send may outlast the lease (a slow SMTP peer): renew it at a third of its length while it runs. */
  private keepLease(id: string, token: string, log: Logger): NodeJS.Timeout {
    const { leaseMs } = this.settings;
    const timer = setInterval(() => {
      this.outbox.extendLease(id, token, new Date(this.clock.now().getTime() + leaseMs)).then((held) => {
        if (!held) log.warn('outbox lease lost during a send');
      }, (err: unknown) => log.warn({ err }, 'outbox lease renewal failed'));
    }, Math.max(100, Math.floor(leaseMs / 3)));
    timer.unref?.();
    return timer;
  }

  /** Records what the adapter said; every write is fenced by the claim token (false: another sender holds it now). */
  private async record(entry: OutboxEntry, result: DeliveryResult, log: Logger): Promise<void> {
    const now = this.clock.now();
    const token = entry.claimToken ?? '';
    const lost = () => log.warn({ result: result.status }, 'the claim had passed to another sender: its result stands');
    switch (result.status) {
      case 'delivered':
        if (await this.outbox.markSent(entry.id, token, result.receipt, now)) {
          log.info({ accepted: result.receipt.accepted, rejected: result.receipt.rejected }, 'delivered');
        } else lost();
        return;
      case 'not-connected': {
        // The away hook first: a crash between the two writes leaves the entry claimable, and
        // the hook is idempotent (a repeat of the same miss schedules nothing new).
        if (entry.channel === 'chat') await this.away?.missed(entry);
        if (await this.outbox.markUndelivered(entry.id, token, result.detail, now)) {
          log.info({ detail: result.detail }, 'recipient not connected');
        } else lost();
        return;
      }
      case 'failed':
        this.metrics.deliveryFailed(entry.channel, true);
        if (await this.outbox.markFailed(entry.id, token, result.error, now)) {
          log.error({ err: result.error, attempts: entry.attempts }, 'delivery failed for good');
        } else lost();
        return;
      case 'retry': {
        // An agent's resend starts a fresh budget: count only the attempts since.
        const final = entry.attempts - (entry.attemptsBeforeResend ?? 0) >= this.settings.maxAttempts;
        this.metrics.deliveryFailed(entry.channel, final);
        if (final) {
          if (await this.outbox.markFailed(entry.id, token, result.error, now)) {
            log.error({ err: result.error, attempts: entry.attempts }, 'delivery failed for good');
          } else lost();
          return;
        }
        const delay = backoffDelay(entry.attempts, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
        if (await this.outbox.markRetry(entry.id, token, result.error, new Date(now.getTime() + delay))) {
          log.warn({ err: result.error, attempts: entry.attempts, retryInMs: delay }, 'delivery failed, will retry');
        } else lost();
      }
    }
  }
}
