/** The SlaStore on sla_timers (clocks and timers) and sla_firings (see sla.schemas.ts); lookups go by `_id`. */
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
    const doc = await this.m.SlaTimer.collection.findOne({ _id: clockId(ticketId) as never });
    if (!doc) return null;
    const fields = { ...doc } as unknown as Omit<SlaClock, 'ticketId'> & { _id?: string; kind?: string };
    delete fields._id;
    delete fields.kind;
    return { ...fields, ticketId, runningSince: fields.runningSince ?? null, escalateTo: fields.escalateTo ?? null };
  }

  /** The clock and its timers in one ordered bulk update on `sla_timers` (the clock is its own document there). */
  async save(clock: SlaClock, timers: SlaTimer[]): Promise<void> {
    await this.m.SlaTimer.collection.bulkWrite([
      { replaceOne: { filter: { _id: clockId(clock.ticketId) as never }, replacement: clockDoc(clock), upsert: true } },
      ...timers.map(({ id, ...fields }) => ({ replaceOne: { filter: { _id: id as never }, replacement: fields, upsert: true } })),
    ], { ordered: true });
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

/**
 * The clock's document in `sla_timers`: no `ticketId` field (so a ticket's timer query never
 * returns it) and no `dueAt` (so the due scan never does); undefined fields are left out.
 */
const clockId = (ticketId: string) => `${ticketId}:clock`;
function clockDoc({ ticketId: _, ...fields }: SlaClock): Record<string, unknown> {
  const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return { ...defined(fields), kind: 'clock', firstResponse: defined(fields.firstResponse), resolution: defined(fields.resolution) };
}

/**
 * Clocks written before they moved into `sla_timers` (`sla_clocks`, `_id` = ticket id) move over:
 * copied without overwriting a newer one, then removed, so a start cut short just repeats it.
 */
async function migrateClocks(m: SlaModels): Promise<void> {
  const old = await m.SlaClock.find({}).lean<Array<{ _id: string } & Record<string, unknown>>>();
  if (!old.length) return;
  await m.SlaTimer.collection.bulkWrite(old.map(({ _id, ...fields }) => ({
    updateOne: { filter: { _id: clockId(_id) as never }, update: { $setOnInsert: { ...fields, kind: 'clock' } }, upsert: true },
  })), { ordered: false });
  await m.SlaClock.deleteMany({ _id: { $in: old.map((d) => d._id) } });
}

export async function createSlaStore(conn: Connection): Promise<SlaStore> {
  const models = slaModels(conn);
  await migrateClocks(models);
  for (const model of Object.values(models)) await model.createIndexes();
  return translateErrors(new MongoSlaStore(models));
}
