/**
 * The expired records Housekeeping deletes (src/core/housekeeping.ts):
 * - `ack_counts`: a counter is read only while its window runs (its `_id` carries the window start,
 *   `windowEndsAt` its end); a past window's counter is never read again.
 * - `outbox_claims`: a claim `<entry>#<attempt>` is read only while that attempt may still be in
 *   flight (a claimer that died is passed after the lease). A day is far beyond any lease, and a
 *   later attempt has a claim id of its own, so deleting older claims changes no decision.
 * Each pass reads ids only (in batches) and deletes them by `_id`; as the pass keeps the
 * collections to about the recent work, that read stays small on FerretDB, which filters nothing
 * but `_id` on its storage.
 */
import type { Collection, Filter } from 'mongodb';
import type { ExpiredRecords } from '../../core/index.ts';
import type { Models } from './models.ts';

const BATCH = 500;
/** How long a send attempt's claim is kept: far beyond any lease (seconds to minutes). */
export const CLAIM_RETENTION_MS = 24 * 60 * 60_000;

type Keyed = { _id: string };

async function deleteExpired(collection: Collection<Keyed>, filter: Filter<Keyed>): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = (await collection.find(filter, { projection: { _id: 1 } }).limit(BATCH).toArray()).map((d) => d._id);
    if (!ids.length) return deleted;
    // One `delete` command, a statement per id: each one an `_id` equality the server looks up.
    const res = await collection.bulkWrite(ids.map((_id) => ({ deleteOne: { filter: { _id } } })), { ordered: false });
    deleted += res.deletedCount;
    if (ids.length < BATCH) return deleted;
  }
}

export function expiredRecords(m: Models): ExpiredRecords[] {
  return [
    { what: 'ack_counts', prune: (now) => deleteExpired(m.AckCount.collection as never, { windowEndsAt: { $lte: now } }) },
    { what: 'outbox_claims', prune: (now) => deleteExpired(m.OutboxClaim.collection as never, { at: { $lt: new Date(now.getTime() - CLAIM_RETENTION_MS) } }) },
  ];
}
