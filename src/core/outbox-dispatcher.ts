/**
 * Delivers outbox entries through the channel that can reach the customer, one claimed entry at
 * a time. A claim is a lease: if this process dies mid-send, another (or the restarted one) takes
 * the entry again after the lease runs out. Transient failures retry with exponential backoff and
 * jitter; permanent ones (5xx) and exhausted attempts mark the entry failed. Every update after
 * the claim is fenced by its claim token, and a long send keeps renewing its lease.
 */
import { crashPoint } from './crash-points.ts';
import { DeliveryError } from './errors.ts';
import type { Logger } from './logger.ts';
import { noMetrics, type Metrics } from './metrics.ts';
import type { ChannelAdapter, Clock, OutboxRepository } from './ports.ts';
import type { OutboxEntry } from './types.ts';

export interface DispatcherSettings {
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  leaseMs: number;
}

export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2); // "equal jitter": never less than half
}

export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private again = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly channels: ReadonlyMap<string, ChannelAdapter>,
    private readonly settings: DispatcherSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics = noMetrics,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Runs a pass now (e.g. right after something was queued) instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain()
      .then(() => undefined, (err: unknown) => this.logger.error({ err }, 'outbox pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.settings.pollIntervalMs);
          this.timer.unref?.();
        }
      });
  }

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
      try {
        crashPoint('outbox.before-send');
        const receipt = await channel.deliver!(entry);
        clearInterval(renewal);
        if (await this.outbox.markSent(entry.id, token, receipt, this.clock.now())) {
          log.info({ accepted: receipt.accepted, rejected: receipt.rejected }, 'delivered');
        } else {
          log.warn('delivered, but the claim had passed to another sender: its result stands');
        }
      } catch (err) {
        clearInterval(renewal);
        await this.recordFailure(entry, token, err, log);
      }
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

  private async recordFailure({ id, attempts, channel }: OutboxEntry, token: string, err: unknown, log: Logger): Promise<void> {
    const message = (err as Error)?.message ?? String(err);
    const permanent = err instanceof DeliveryError && err.permanent;
    const final = permanent || attempts >= this.settings.maxAttempts;
    this.metrics.deliveryFailed(channel, final);
    if (final) {
      await this.outbox.markFailed(id, token, message, this.clock.now());
      log.error({ err: message, attempts }, 'delivery failed for good');
      return;
    }
    const delay = backoffDelay(attempts, this.settings.backoffBaseMs, this.settings.backoffMaxMs);
    await this.outbox.markRetry(id, token, message, new Date(this.clock.now().getTime() + delay));
    log.warn({ err: message, attempts, retryInMs: delay }, 'delivery failed, will retry');
  }
}
