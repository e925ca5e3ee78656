/** The SlaStore on sla_timers (clocks and timers), sla_clocks_stopped and sla_firings (see sla.schemas.ts); lookups go by `_id`. */
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

  /** The running (or recently stopped) clock in `sla_timers`; a retired one from `sla_clocks_stopped` (one more read). */
  async clock(ticketId: string): Promise<SlaClock | null> {
    const doc = await this.m.SlaTimer.collection.findOne({ _id: clockId(ticketId) as never })
      ?? await this.m.SlaStoppedClock.collection.findOne({ _id: ticketId as never });
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

  /**
   * `sla_timers` holds only the clocks and timers of tickets whose clock runs or stopped a short
   * while ago (see retireStopped), so it is read whole: FerretDB 1.24 would read the whole
   * collection for a `dueAt` filter anyway. The same read retires the clocks stopped long enough.
   */
  async dueTimers(now: Date, limit: number): Promise<SlaTimer[]> {
    const docs = await this.m.SlaTimer.collection.find({}).toArray() as unknown as SlaDoc[];
    await retireStopped(this.m, docs, now);
    const due = docs.filter((d) => d.kind !== 'clock' && d.dueAt && d.dueAt.getTime() <= now.getTime());
    return due.sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime()).slice(0, limit).map(toTimer);
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

type SlaDoc = { _id: string; kind?: string; ticketId?: string; dueAt?: Date | null; runningSince?: Date | null; updatedAt?: Date };

/** How long a stopped clock stays in `sla_timers` before it retires: a pending ticket often resumes soon. */
export const RETIRE_AFTER_MS = 10 * 60_000;
/**
 * Tickets retired per pass: bounds the pass (five deletes each, one `delete` command) when many
 * are due at once, as after an upgrade, when every ticket's clock is still in `sla_timers`; the
 * rest follow in the next passes. FerretDB-SQLite commits each delete statement on its own, and a
 * stock FerretDB 1.24 scans the table for each (about 120 ms apiece with 5,000 stopped clocks
 * waiting on a loaded machine; 2 ms with the `_id` index fix of scripts/install-ferretdb.sh):
 * 2,500 of them outlasted the 60 s socket timeout, so a pass stays at 50 tickets, and an upgraded
 * desk on a stock server moves thousands of resolved tickets over tens of minutes.
 */
const RETIRE_PER_PASS = 50;

/**
 * Moves the clocks that stopped (resolved, closed, or waiting on the customer) at least
 * RETIRE_AFTER_MS ago, with every timer disarmed, out of `sla_timers` into `sla_clocks_stopped`
 * (`_id` = ticket id), and deletes their disarmed timers: `sla_timers` then holds about the open
 * tickets, not every ticket ever. Copy first, then delete (a crash in between leaves both, and the
 * next pass repeats the copy); each delete only while the document is as it was read, so a clock a
 * reply restarted meanwhile stays. A restarted clock is written back to `sla_timers` by `save`,
 * which `clock()` reads first.
 */
async function retireStopped(m: SlaModels, docs: SlaDoc[], now: Date): Promise<number> {
  const byTicket = new Map<string, { clock?: SlaDoc; timers: SlaDoc[] }>();
  for (const d of docs) {
    const ticketId = d.kind === 'clock' ? d._id.slice(0, -':clock'.length) : d.ticketId ?? d._id.slice(0, d._id.lastIndexOf(':'));
    const entry = byTicket.get(ticketId) ?? { timers: [] };
    if (d.kind === 'clock') entry.clock = d;
    else entry.timers.push(d);
    byTicket.set(ticketId, entry);
  }
  const retiring = [...byTicket].filter(([, { clock, timers }]) => clock && !clock.runningSince && timers.every((t) => !t.dueAt)
    && (clock.updatedAt?.getTime() ?? 0) <= now.getTime() - RETIRE_AFTER_MS).slice(0, RETIRE_PER_PASS);
  if (!retiring.length) return 0;
  await m.SlaStoppedClock.collection.bulkWrite(retiring.map(([ticketId, { clock }]) => {
    const fields: Partial<SlaDoc> = { ...clock! };
    delete fields._id;
    return { replaceOne: { filter: { _id: ticketId as never }, replacement: fields, upsert: true } };
  }), { ordered: false }).catch((err: unknown) => {
    // Two processes retiring the same clock at once: the upsert that lost the race hits the
    // winner's `_id` (FerretDB), whose copy is the same clock. Anything else is a real failure.
    const errors = (err as { writeErrors?: unknown }).writeErrors;
    const list = (Array.isArray(errors) ? errors : [errors ?? err]) as unknown[];
    if (!list.every((e) => isDuplicateKey(e))) throw err;
  });
  await m.SlaTimer.collection.bulkWrite(retiring.flatMap(([, { clock, timers }]) => [
    ...timers.map((t) => ({ deleteOne: { filter: { _id: t._id as never, dueAt: null } } })),
    { deleteOne: { filter: { _id: clock!._id as never, runningSince: null, updatedAt: clock!.updatedAt } } },
  ]), { ordered: false });
  return retiring.length;
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
export async function migrateClocks(m: SlaModels): Promise<void> {
  const old = await m.SlaClock.find({}).lean<Array<{ _id: string } & Record<string, unknown>>>();
  if (!old.length) return;
  await m.SlaTimer.collection.bulkWrite(old.map(({ _id, ...fields }) => ({
    updateOne: { filter: { _id: clockId(_id) as never }, update: { $setOnInsert: { ...fields, kind: 'clock' } }, upsert: true },
  })), { ordered: false });
  await m.SlaClock.deleteMany({ _id: { $in: old.map((d) => d._id) } });
}

/** The store on its models; the database is prepared (migrations, indexes) by store-preparation.ts. */
export function createSlaStore(conn: Connection): SlaStore {
  return translateErrors(new MongoSlaStore(slaModels(conn)));
}
