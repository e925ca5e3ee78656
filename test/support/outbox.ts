/**
 * The outbox as tests see it: waiting entries are in `outbox`, finished ones (sent, failed,
 * undelivered) in `outbox_done`; these read both, one document per entry (a finished copy wins,
 * as a leftover of a crash mid-move only ever lags behind it).
 */
import type mongoose from 'mongoose';

type Db = mongoose.mongo.Db;
type Doc = mongoose.mongo.Document;

export async function outboxEntries(db: Db, filter: Doc = {}): Promise<Doc[]> {
  const [live, done] = await Promise.all([db.collection('outbox').find(filter).toArray(), db.collection('outbox_done').find(filter).toArray()]);
  const byId = new Map(live.map((d) => [String(d._id), d]));
  for (const d of done) byId.set(String(d._id), d);
  return [...byId.values()];
}

export async function countOutbox(db: Db, filter: Doc = {}): Promise<number> {
  return (await outboxEntries(db, filter)).length;
}
