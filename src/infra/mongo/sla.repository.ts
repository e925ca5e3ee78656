/** The SlaStore on sla_clocks, sla_timers and sla_firings (see sla.schemas.ts); lookups go by `_id`. */
import type { Connection } from 'mongoose';
import type { SlaClock, SlaStore, SlaTimer } from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import { isDuplicateKey } from './ids.ts';
import { slaModels, type SlaModels } from './sla.schemas.ts';
import { translateErrors } from './transient-errors.ts';

const toTimer = (doc: object): SlaTimer => {
  const t = fromDoc<SlaTimer>(doc);
  return { ...t, dueAt: t.dueAt ?? null };
};

export class MongoSlaStore implements SlaStore {
  constructor(private readonly m: SlaModels) {}

  async clock(ticketId: string): Promise<SlaClock | null> {
    const doc = await this.m.SlaClock.findById(ticketId).lean();
    if (!doc) return null;
    const clock = fromDoc<SlaClock>(doc, 'ticketId');
    return { ...clock, runningSince: clock.runningSince ?? null, escalateTo: clock.escalateTo ?? null };
  }

  async saveClock(clock: SlaClock): Promise<void> {
    const { ticketId, ...fields } = clock;
    await this.m.SlaClock.replaceOne({ _id: ticketId }, { _id: ticketId, ...fields }, { upsert: true });
  }

  /** Every timer of the ticket in one round trip (one `update` command with a statement each). */
  async saveTimers(timers: SlaTimer[]): Promise<void> {
    if (!timers.length) return;
    await this.m.SlaTimer.bulkWrite(timers.map(({ id, ...fields }) => ({
      replaceOne: { filter: { _id: id }, replacement: { _id: id, ...fields }, upsert: true },
    })), { ordered: true });
  }

  async timersOf(ticketId: string): Promise<SlaTimer[]> {
    return (await this.m.SlaTimer.find({ ticketId }).lean()).map(toTimer);
  }

  async dueTimers(now: Date, limit: number): Promise<SlaTimer[]> {
    const docs = await this.m.SlaTimer.find({ dueAt: { $ne: null, $lte: now } }).sort({ dueAt: 1 }).limit(limit).lean();
    return docs.map(toTimer);
  }

  async claimFiring(id: string, ticketId: string, at: Date): Promise<boolean> {
    try {
      await this.m.SlaFiring.create({ _id: id, ticketId, claimedAt: at });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async disarm(timerId: string, firedDueAt: Date): Promise<void> {
    await this.m.SlaTimer.updateOne({ _id: timerId, dueAt: firedDueAt }, { $set: { dueAt: null } });
  }
}

export async function createSlaStore(conn: Connection): Promise<SlaStore> {
  const models = slaModels(conn);
  for (const model of Object.values(models)) await model.createIndexes();
  return translateErrors(new MongoSlaStore(models));
}
