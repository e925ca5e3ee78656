/**
 * Does intake cost grow with what is stored? LMTP latency (one connection) of a sample of mails
 * into an empty database, then again after the database holds `stored` mails (issue 12's target:
 * at most 1.5 times). A gateway of its own on a database of its own.
 *
 * Seeding: ingesting 5,000 mails through the gateway would take longer than the whole bench on
 * FerretDB-SQLite, so the first sample's documents (every collection: tickets, messages, contacts,
 * outbox, events, GridFS files and chunks, ...) are copied with fresh ids and keys until the
 * database holds `stored` inbound mails: real shapes, real index sizes, inserted in bulk.
 *
 * The copies are history, as in a help desk that has run for a while: nine in ten of their
 * tickets are resolved (SLA clock stopped, timers disarmed), every acknowledgement was sent and
 * every agent notification fanned out, each kept where this version keeps finished work (see
 * whereHistoryLives). Copying the sample's state as it was (every ticket new,
 * every acknowledgement pending, since this gateway runs without SMTP) would make 5,000 stored
 * mails 5,000 pieces of pending work, which no real help desk carries. Past windows' counters
 * (`ack_counts`) and old send claims are not copied: housekeeping deletes those.
 */
import mongoose from 'mongoose';
import { benchMail } from '../lib/corpus.ts';
import { round, type Measurement, type ScenarioResult } from '../lib/result.ts';
import type { Bench } from '../lib/servers.ts';
import { summarize } from '../lib/stats.ts';
import { lmtpLoad } from './email.ts';

const SCENARIO = 'Email intake vs stored mail';
const { ObjectId } = mongoose.mongo;
type Doc = Record<string, unknown>;

/** A deep copy with every id in `ids` replaced, the tag renamed in strings, and ticket numbers (and their claims) moved. */
function copyDoc(value: unknown, ids: Map<string, unknown>, tag: RegExp, newTag: string, numberOffset: number, key?: string): unknown {
  if (value instanceof ObjectId) return ids.get(value.toHexString()) ?? value;
  if (typeof value === 'string') return ids.get(`s:${value}`) ?? value.replace(tag, newTag);
  // Ticket numbers, and their claims (`ticket_numbers`, whose `_id` is the number).
  if (typeof value === 'number' && (key === 'number' || key === '_id')) return value + numberOffset;
  if (Array.isArray(value)) return value.map((v) => copyDoc(v, ids, tag, newTag, numberOffset));
  if (value && typeof value === 'object' && !(value instanceof Date) && !(value as { _bsontype?: string })._bsontype && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value as Doc).map(([k, v]) => [k, copyDoc(v, ids, tag, newTag, numberOffset, k)]));
  }
  return value;
}

/** An SLA clock stopped by the ticket's resolution, a day ago (history, not this minute's work). */
const stopped = (clock: Doc): Doc => {
  const resolvedAt = new Date(Date.now() - 24 * 3_600_000);
  return { ...clock, runningSince: null, updatedAt: resolvedAt, resolution: { ...(clock.resolution as Doc), metAt: resolvedAt } };
};

/** A copied document as the finished work it stands for (see the file's comment). */
function asHistory(collection: string, d: Doc, open: boolean): Doc {
  const at = (d.createdAt as Date | undefined) ?? new Date();
  switch (collection) {
    case 'outbox':
      return d.status === 'pending' || d.status === 'sending'
        ? { ...d, status: 'sent', attempts: 1, claimToken: `${String(d._id)}#1`, sentAt: new Date(at.getTime() + 1000), receipt: { accepted: [], rejected: [] } }
        : d;
    case 'ticket_events': {
      const rest = { ...d };
      delete rest.fanout; // fanned out long ago
      return rest;
    }
    case 'tickets':
      return open ? d : { ...d, status: 'resolved', updatedAt: new Date(at.getTime() + 3_600_000) };
    case 'sla_clocks': // clocks before they moved into sla_timers
      return open ? d : stopped(d);
    case 'sla_timers': { // a ticket's clock (`kind: 'clock'`) and its four timers
      // Ids are `<ticket id>:<kind>`: the copy's ticket id carries the copy suffix, not the kind.
      const id = String(d._id).replace(/^(.*?):(.*)(~c\d+)$/, '$1$3:$2');
      const copy = { ...d, _id: id };
      return open ? copy : d.kind === 'clock' ? stopped(copy) : { ...copy, dueAt: null };
    }
    case 'chat_digests':
      return { ...d, status: 'done' };
    default:
      return d;
  }
}

/**
 * Where the gateway keeps a finished copy once its own passes have dealt with it, so the seeded
 * history sits where a desk that ran this version would have it (null: nothing is kept):
 * sent acknowledgements in `outbox_done`, not in the outbox the dispatcher scans; a resolved
 * ticket's stopped SLA clock in `sla_clocks_stopped` (keyed by ticket) and its disarmed timers
 * deleted, not in `sla_timers` the SLA pass reads whole. Left where they were, 5,000 copies would
 * be measured as a one-off upgrade: the passes moving them one small batch at a time while the
 * sample runs, each move an update or delete that FerretDB-SQLite runs as a scan of the table.
 */
function whereHistoryLives(collection: string, d: Doc, open: boolean): { collection: string; doc: Doc } | null {
  if (collection === 'outbox' && ['sent', 'failed', 'undelivered'].includes(String(d.status))) return { collection: 'outbox_done', doc: d };
  if (collection === 'sla_timers' && !open) {
    if (d.kind !== 'clock') return null;
    const { _id, ...clock } = d;
    return { collection: 'sla_clocks_stopped', doc: { ...clock, _id: String(_id).slice(0, -':clock'.length) } };
  }
  return { collection, doc: d };
}

async function seed(db: mongoose.mongo.Db, tag: string, target: number): Promise<{ copies: number; docs: number; seconds: number; stored: number }> {
  const t0 = performance.now();
  // Pending work (agent_fanout) and per-window or per-attempt records are not history to copy.
  const skip = new Set(['counters', 'mailbox_cursors', 'outbox_claims', 'agents', 'sessions', 'intake_rules', 'agent_fanout', 'ack_counts']);
  const collections = (await db.listCollections().toArray()).map((c) => c.name).filter((n) => !skip.has(n) && !n.startsWith('system.'));
  const originals = new Map<string, Doc[]>();
  for (const name of collections) originals.set(name, await db.collection(name).find().toArray() as Doc[]);
  const perCopy = await db.collection('messages').countDocuments({ direction: 'inbound' });
  const copies = Math.max(0, Math.ceil((target - perCopy) / Math.max(1, perCopy)));
  const tagRe = new RegExp(tag, 'g');
  if (process.env.BENCH_DEBUG) process.stderr.write(`seed: ${perCopy} inbound per copy, ${copies} copies, collections ${collections.join(',')}\n`);
  let docs = 0;
  for (let k = 1; k <= copies; k++) {
    const ids = new Map<string, unknown>();
    for (const list of originals.values()) {
      for (const d of list) {
        if (d._id instanceof ObjectId) ids.set(d._id.toHexString(), new ObjectId());
        else if (typeof d._id === 'string' && !d._id.includes(tag)) ids.set(`s:${d._id}`, `${d._id}~c${k}`);
        // Our own messages (acknowledgements) have keys without the tag; unique per (channel, externalId).
        if (typeof d.externalId === 'string' && !d.externalId.includes(tag)) ids.set(`s:${d.externalId}`, `${d.externalId}~c${k}`);
      }
    }
    // One copy in ten keeps its tickets open (running SLA clocks, armed timers); the rest are done.
    const open = k % 10 === 0;
    const batches = new Map<string, Doc[]>();
    for (const [name, list] of originals) {
      for (const d of list) {
        const placed = whereHistoryLives(name, asHistory(name, copyDoc(d, ids, tagRe, `${tag}c${k}x`, k * 100_000) as Doc, open), open);
        if (placed) batches.set(placed.collection, [...(batches.get(placed.collection) ?? []), placed.doc]);
      }
    }
    for (const [name, copied] of batches) {
      for (let i = 0; i < copied.length; i += 1000) {
        const r = await db.collection(name).insertMany(copied.slice(i, i + 1000), { ordered: false }).catch((err: { result?: { insertedCount?: number } }) => ({ insertedCount: err.result?.insertedCount ?? 0 }));
        docs += r.insertedCount;
        if (process.env.BENCH_DEBUG && r.insertedCount < Math.min(1000, copied.length - i)) process.stderr.write(`seed ${name}: ${r.insertedCount} of ${copied.length}\n`);
      }
    }
  }
  const counter = await db.collection('counters').findOne({});
  if (counter) await db.collection('counters').updateOne({ _id: counter._id }, { $set: { seq: (copies + 1) * 100_000 } });
  const stored = await db.collection('messages').countDocuments({ direction: 'inbound' });
  return { copies, docs, seconds: (performance.now() - t0) / 1000, stored };
}

export async function storedLatencyScenario(bench: Bench, _mainGateway: unknown, opts: { sample: number; stored: number; timeoutMs: number; settleMs: number }, runTag: string, log: (l: string) => void): Promise<ScenarioResult> {
  const dbName = `${bench.dbName}_stored`;
  const gateway = await bench.startGateway({ smtp: false, env: { HELPDESK_DB_NAME: dbName } });
  const db = bench.conn.getClient().db(dbName);
  const tag = `${runTag}st`;
  try {
    const first = await lmtpLoad(gateway, Array.from({ length: opts.sample }, (_, i) => benchMail(`${tag}0`, i)), 1);
    const seeded = await seed(db, `${tag}0`, opts.stored);
    log(`stored: seeded ${seeded.docs} documents (${seeded.copies} copies) in ${round(seeded.seconds, 1)} s; ${seeded.stored} inbound mails stored`);
    // The copies appeared at once, not over months: give the gateway's periodic passes one round
    // (the SLA poll is the slowest, 30 s: `settleMs` 35 s) to see them before measuring, as a running
    // desk would have. --quick waits 5 s: a smoke run, whose 100 copies are no measurement of record.
    await new Promise((resolve) => setTimeout(resolve, opts.settleMs));
    const second = await lmtpLoad(gateway, Array.from({ length: opts.sample }, (_, i) => benchMail(`${tag}1`, i)), 1);
    const [a, b] = [summarize(first.latencies), summarize(second.latencies)];
    const row = (variant: string, s: typeof a, lat: number[]): Measurement => ({
      scenario: SCENARIO, variant, side: 'gateway', count: s.count, seconds: round(lat.reduce((x, y) => x + y, 0) / 1000), throughput: round(s.count / (lat.reduce((x, y) => x + y, 0) / 1000)), unit: 'mails/s', latencyMs: s,
    });
    const ratio = b.p50 / a.p50;
    return {
      measurements: [row(`LMTP x1, ${opts.sample} mails into an empty database`, a, first.latencies), row(`LMTP x1, ${opts.sample} mails with ${seeded.stored} stored`, b, second.latencies)],
      targets: [{ scenario: SCENARIO, target: `latency at ${seeded.stored} stored mails <= 1.5x latency at 0 (p50)`, measured: `${round(ratio, 2)}x (p50 ${b.p50} vs ${a.p50} ms; p95 ${b.p95} vs ${a.p95} ms)`, met: ratio <= 1.5 }],
      notes: [`Stored mail: seeded by copying the first sample's documents in every collection with fresh ids and keys (${seeded.docs} documents in ${round(seeded.seconds, 1)} s), not by ingesting; see bench/scenarios/stored-latency.ts.`],
    };
  } finally {
    await gateway.stop();
  }
}
