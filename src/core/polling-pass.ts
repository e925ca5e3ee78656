/**
 * A pass over durable due work (chat digests, SLA timers) run every interval and on request, one at
 * a time (CoalescedRun). The records are the truth and the timer only a prompt, so a failed pass is
 * logged and the next one tries again; stop() waits for the pass in flight.
 */
import { CoalescedRun } from './coalesced-run.ts';
import type { Logger } from './logger.ts';

export class PollingPass {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly passes: CoalescedRun;

  constructor(pass: () => Promise<unknown>, private readonly intervalMs: number, logger: Logger, what: string) {
    this.passes = new CoalescedRun(() => pass().then(() => undefined, (err: unknown) => logger.error({ err }, `${what} pass failed`)));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.passes.request(), this.intervalMs);
    this.timer.unref?.();
    this.passes.request();
  }

  /** A pass now (or right after the one in flight), unless stopped. */
  request(): void {
    if (!this.stopped) this.passes.request();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.passes.idle();
  }
}
