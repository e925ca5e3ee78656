/**
 * A dispatcher's lease on everything it claimed: one heartbeat document, renewed at a third of the
 * lease while the dispatcher holds claims, so a slow send keeps its entry however long it takes,
 * and another sender takes over only once this process has stopped renewing (it died, or hung
 * longer than the lease). `since` is when the current unbroken stretch of lease began: a claim made
 * before a gap may have passed to someone else, so its entry is not sent, and a result is
 * recorded only after checking.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.ts';
import type { Clock, OutboxRepository } from './ports.ts';

export class SenderLease {
  readonly id = `sender-${randomUUID()}`;
  private until = 0;
  private since = Infinity;
  private written = false;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(private readonly outbox: OutboxRepository, private readonly leaseMs: number, private readonly clock: Clock, private readonly logger: Logger) {}

  /** Makes sure the lease is written and fresh, and keeps renewing it until `end`. */
  async hold(): Promise<void> {
    if (!this.timer) {
      this.timer = setInterval(() => { void this.beat().catch((err: unknown) => this.logger.warn({ err }, 'outbox lease renewal failed')); }, Math.max(50, Math.floor(this.leaseMs / 3)));
      this.timer.unref?.();
    }
    if (this.until - this.now() < (this.leaseMs * 2) / 3) await this.beat();
  }

  /** True while the lease has held without a gap since `t` (ms) and still holds now. */
  heldSince(t: number): boolean {
    return this.since <= t && this.now() < this.until;
  }

  /** Stops renewing; the lease document goes, so anything left unsettled is free for others at once. */
  async end(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating?.catch(() => {});
    if (this.written) {
      this.written = false;
      this.until = 0;
      this.since = Infinity;
      await this.outbox.retire(this.id).catch((err: unknown) => this.logger.warn({ err }, 'outbox lease not retired (it runs out by itself)'));
    }
  }

  now(): number {
    return this.clock.now().getTime();
  }

  private beat(): Promise<void> {
    this.beating ??= (async () => {
      const sentAt = this.now();
      const until = sentAt + this.leaseMs;
      try {
        await this.outbox.heartbeat(this.id, new Date(until));
        this.written = true;
        // Written after the last lease had run out: whatever was claimed before may be someone else's now.
        if (sentAt >= this.until) this.since = sentAt;
        this.until = Math.max(this.until, until);
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }
}
