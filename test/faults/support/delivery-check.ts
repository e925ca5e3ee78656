/**
 * The one verdict every fault scenario ends with: each accepted message is stored once, complete,
 * in a ticket of its own (unique number), and its acknowledgement reached the SMTP peer once.
 *
 * The one duplicate allowed is SMTP's window: the peer said 250 and the gateway died (or lost its
 * database) before it could record that, so the same outbox entry goes out again, with the same
 * Message-ID. Such a copy is counted as "redelivered" only when a fault was injected within
 * `windowMs` after the first copy arrived; any other second copy is a duplicate and fails.
 */
import type mongoose from 'mongoose';
import type { SinkMessage } from '../../support/smtp-sink.ts';
import { waitUntil } from '../../support/skip.ts';

export interface Verdict {
  accepted: number;
  lost: number;
  duplicated: number;
  redelivered: number;
  problems: string[];
}

type Db = mongoose.mongo.Db;

const bare = (id: string | undefined) => (id ?? '').replace(/^<|>$/g, '');

/**
 * Waits until every accepted message is stored and acknowledged and the outbox is empty; false when
 * that never happens in time (the checks then say what is missing, instead of a bare timeout).
 */
export async function waitForQuiet(db: Db, accepted: ReadonlyMap<string, unknown>, sink: () => SinkMessage[], timeoutMs: number): Promise<boolean> {
  const keys = [...accepted.keys()];
  try {
    await waitUntil(async () => {
      const stored = await db.collection('messages').countDocuments({ direction: 'inbound', complete: true });
      const open = await db.collection('outbox').countDocuments({ status: { $in: ['pending', 'sending'] } });
      const answered = new Set(sink().map((m) => bare(m.parsed.inReplyTo)));
      return stored >= keys.length && open === 0 && keys.every((k) => answered.has(k));
    }, `${keys.length} accepted messages stored and acknowledged`, timeoutMs, 500);
  } catch {
    return false;
  }
  // Let a late second copy (a lease running out after a kill) show up before counting.
  await new Promise((r) => setTimeout(r, 2_500));
  return true;
}

export async function checkDelivery(
  db: Db, accepted: ReadonlyMap<string, { channel: string }>, sinkMessages: SinkMessage[], faultTimes: number[], windowMs = 3_000,
): Promise<Verdict> {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let redelivered = 0;
  const inbound = await db.collection('messages').find({ direction: 'inbound' }).toArray();
  const tickets = await db.collection('tickets').find().toArray();
  const acks = await db.collection('outbox').find({ kind: 'ack' }).toArray();
  const byKey = new Map(inbound.map((m) => [`${m.channel} ${m.externalId}`, m]));
  const stuck = await db.collection('outbox').find({ status: { $in: ['pending', 'sending', 'failed'] } }).toArray();
  for (const e of stuck) problems.push(`outbox entry ${e._id} (${e.kind}) still ${e.status} after ${e.attempts} attempt(s): ${e.lastError ?? ''}`);

  // Why an accepted message has no finished ticket: a failure not taken for an outage quarantines
  // it (and the sender hears 250); its failed attempts say what went wrong.
  const attempts = await db.collection('ingest_attempts').find().toArray();
  for (const [key, { channel }] of accepted) {
    const m = byKey.get(`${channel} ${key}`);
    if (!m?.complete) {
      lost++;
      const failed = attempts.find((a) => String(a._id) === `${channel}:${key}`);
      const why = failed ? `; ${String(failed.attempts ?? 1)} failed attempt(s), last: ${String(failed.lastError ?? '').slice(0, 400)}` : '';
      problems.push(`lost: ${key} ${m ? 'stored incomplete' : 'not stored'}${why}`);
    }
  }
  for (const m of inbound) {
    if (!accepted.has(m.externalId)) {
      duplicated++;
      problems.push(`stored but never confirmed to its sender: ${m.externalId}`);
    }
  }
  const perTicket = new Map<string, number>();
  for (const m of inbound) perTicket.set(m.ticketId, (perTicket.get(m.ticketId) ?? 0) + 1);
  for (const t of tickets) {
    const n = perTicket.get(t._id as unknown as string) ?? 0;
    if (n !== 1) {
      duplicated++;
      problems.push(`ticket #${t.number} holds ${n} inbound messages`);
    }
  }
  for (const m of inbound) if (!tickets.some((t) => (t._id as unknown as string) === m.ticketId)) problems.push(`message ${m.externalId} has no ticket`);
  const numbers = tickets.map((t) => t.number);
  if (new Set(numbers).size !== numbers.length) {
    duplicated++;
    problems.push(`ticket numbers repeat: ${numbers.length} tickets, ${new Set(numbers).size} numbers`);
  }

  // Acknowledgements: one outbox entry per accepted message, sent; one copy at the peer (or a redelivery).
  const acksFor = new Map<string, number>();
  for (const a of acks) acksFor.set(bare(a.inReplyTo), (acksFor.get(bare(a.inReplyTo)) ?? 0) + 1);
  const copies = new Map<string, SinkMessage[]>();
  for (const s of sinkMessages) {
    const key = bare(s.parsed.inReplyTo);
    copies.set(key, [...(copies.get(key) ?? []), s]);
    if (!accepted.has(key)) problems.push(`the peer got mail answering ${key}, which no sender was told was accepted`);
  }
  for (const key of accepted.keys()) {
    if ((acksFor.get(key) ?? 0) !== 1) {
      duplicated += Math.max(0, (acksFor.get(key) ?? 0) - 1);
      problems.push(`${acksFor.get(key) ?? 0} acknowledgements queued for ${key}`);
    }
    const got = (copies.get(key) ?? []).sort((a, b) => a.receivedAt - b.receivedAt);
    if (!got.length) {
      lost++;
      problems.push(`acknowledgement of ${key} never reached the peer`);
      continue;
    }
    const ids = new Set(got.map((g) => bare(g.parsed.messageId)));
    if (ids.size > 1) {
      duplicated += ids.size - 1;
      problems.push(`${ids.size} different acknowledgements of ${key}`);
    }
    for (const extra of got.slice(1)) {
      const first = got[0]!.receivedAt;
      const explained = faultTimes.some((t) => t >= first - 1_000 && t <= first + windowMs && t <= extra.receivedAt);
      if (ids.size === 1 && explained) redelivered++;
      else {
        duplicated++;
        problems.push(`acknowledgement of ${key} arrived again ${extra.receivedAt - first} ms later with no fault in SMTP's window`);
      }
    }
  }
  return { accepted: accepted.size, lost, duplicated, redelivered, problems };
}
