/**
 * Deletes records that nothing reads any more, so the collections they live in stay as small as
 * the recent work (acknowledgement counters of past windows, claims of long-finished send
 * attempts). Every process runs it now and then; deleting twice is harmless. Each pruner reads
 * only its own small collection (which this pass keeps small) and deletes by `_id`.
 */
import type { Logger } from './logger.ts';
import { PollingPass } from './polling-pass.ts';
import type { Clock } from './ports.ts';

/** One kind of expired record: deletes those expired at `now`, returns how many. */
export interface ExpiredRecords {
  what: string;
  prune(now: Date): Promise<number>;
}

export interface HousekeepingDeps {
  pruners: ExpiredRecords[];
  clock: Clock;
  logger: Logger;
  intervalMs: number;
}

export class Housekeeping {
  private readonly pass: PollingPass;

  constructor(private readonly deps: HousekeepingDeps) {
    this.pass = new PollingPass(() => this.runDue(), deps.intervalMs, deps.logger, 'housekeeping');
  }

  start(): void {
    this.pass.start();
  }

  stop(): Promise<void> {
    return this.pass.stop();
  }

  /** Runs every pruner once; returns how many records each deleted. */
  async runDue(): Promise<Record<string, number>> {
    const now = this.deps.clock.now();
    const deleted: Record<string, number> = {};
    for (const pruner of this.deps.pruners) {
      deleted[pruner.what] = await pruner.prune(now);
      if (deleted[pruner.what]) this.deps.logger.debug({ what: pruner.what, deleted: deleted[pruner.what] }, 'expired records deleted');
    }
    return deleted;
  }
}
