/**
 * The one verdict every fault scenario ends with, per channel: each accepted message is stored
 * once and complete; a mail or a form submission in a ticket of its own (unique number), a
 * visitor's chat messages all in the one ticket of their conversation and each exactly once in
 * its transcript; and each ticket's acknowledgement reached the SMTP peer once.
 *
 * The one duplicate allowed is SMTP's window: the peer said 250 and the gateway died (or lost its
 * database) before it could record that, so the same outbox entry goes out again, with the same
 * Message-ID. Such a copy is counted as "redelivered" only when a fault was injected within
 * `windowMs` after the first copy arrived; any other second copy is a duplicate and fails.
 * A fault that lasts (the database away for 30 s) is a span: a 250 that arrives while it lasts
 * cannot be recorded either, so the window runs from `windowMs` before the span began to its end.
 */
import type mongoose from 'mongoose';
import type { SinkMessage } from '../../support/smtp-sink.ts';
import { outboxEntries } from '../../support/outbox.ts';
import { waitUntil } from '../../support/skip.ts';

export interface Tally {
  accepted: number;
  lost: number;
  duplicated: number;
  redelivered: number;
}

export interface Verdict extends Tally {
  /** The same counts for each channel that had load (`email`, `chat`, `webform`). */
  byChannel: Record<string, Tally>;
  problems: string[];
}

/** What the load runner's ledger holds for each message a sender was told was accepted. */
export type Ledger = ReadonlyMap<string, { channel: string; externalId: string }>;

type Db = mongoose.mongo.Db;
type Doc = mongoose.mongo.Document;

const bare = (id: string | undefined) => (id ?? '').replace(/^<|>$/g, '');
const storedKey = (channel: string, externalId: string) => `${channel} ${externalId}`;
/** A chat message's externalId is `<visitorId>:<clientId>`; the visitor is the conversation. */
const conversationOf = (externalId: string) => externalId.slice(0, externalId.lastIndexOf(':'));
const clientIdOf = (externalId: string) => externalId.slice(externalId.lastIndexOf(':') + 1);

/**
 * Waits until every accepted message is stored complete and the outbox is empty; false when that
 * never happens in time (the checks then say what is missing, instead of a bare timeout).
 */
export async function waitForQuiet(db: Db, accepted: Ledger, sink: () => SinkMessage[], timeoutMs: number): Promise<boolean> {
  try {
    await waitUntil(async () => {
      const complete = await db.collection('messages').find({ direction: 'inbound', complete: true }, { projection: { channel: 1, externalId: 1 } }).toArray();
      const stored = new Set(complete.map((m) => storedKey(m.channel, m.externalId)));
      const open = await db.collection('outbox').countDocuments({ status: { $in: ['pending', 'sending'] } });
      const sent = await outboxEntries(db, { kind: 'ack', status: 'sent' });
      const atPeer = new Set(sink().map((m) => bare(m.parsed.messageId)));
      return [...accepted.values()].every((a) => stored.has(storedKey(a.channel, a.externalId)))
        && open === 0 && sent.every((e) => atPeer.has(bare(e.messageId)));
    }, `${accepted.size} accepted messages stored and acknowledged`, timeoutMs, 500);
  } catch {
    return false;
  }
  // Let a late second copy (a lease running out after a kill) show up before counting.
  await new Promise((r) => setTimeout(r, 2_500));
  return true;
}

/** When a fault was injected: an instant (a kill), or a span from its start to its end (an outage). */
export type FaultTime = number | readonly [from: number, to: number];

export async function checkDelivery(db: Db, accepted: Ledger, sinkMessages: SinkMessage[], faultTimes: FaultTime[], windowMs = 3_000): Promise<Verdict> {
  const problems: string[] = [];
  const byChannel: Record<string, Tally> = {};
  const tally = (channel: string): Tally => (byChannel[channel] ??= { accepted: 0, lost: 0, duplicated: 0, redelivered: 0 });
  const inbound = await db.collection('messages').find({ direction: 'inbound' }).toArray();
  const tickets = await db.collection('tickets').find().toArray();
  const acks = await outboxEntries(db, { kind: 'ack' });
  const byKey = new Map(inbound.map((m) => [storedKey(m.channel, m.externalId), m]));
  const confirmed = new Set([...accepted.values()].map((a) => storedKey(a.channel, a.externalId)));
  const ticketById = new Map(tickets.map((t) => [String(t._id), t]));
  const stuck = await outboxEntries(db, { status: { $in: ['pending', 'sending', 'failed'] } });
  for (const e of stuck) problems.push(`outbox entry ${e._id} (${e.kind}) still ${e.status} after ${e.attempts} attempt(s): ${e.lastError ?? ''}`);

  // Every accepted message is stored complete. Why one is not: a failure not taken for an outage
  // quarantines it (and the sender hears it was taken); its failed attempts say what went wrong.
  const attempts = await db.collection('ingest_attempts').find().toArray();
  for (const [key, { channel, externalId }] of accepted) {
    tally(channel).accepted++;
    const m = byKey.get(storedKey(channel, externalId));
    if (m?.complete) continue;
    tally(channel).lost++;
    const failed = attempts.find((a) => String(a._id) === `${channel}:${externalId}`);
    const why = failed ? `; ${String(failed.attempts ?? 1)} failed attempt(s), last: ${String(failed.lastError ?? '').slice(0, 400)}` : '';
    problems.push(`lost: ${channel} ${key} ${m ? 'stored incomplete' : 'not stored'}${why}`);
  }
  for (const m of inbound) {
    if (confirmed.has(storedKey(m.channel, m.externalId))) continue;
    tally(m.channel).duplicated++;
    problems.push(`stored but never confirmed to its sender: ${m.channel} ${m.externalId}`);
  }
  for (const m of inbound) if (!ticketById.has(String(m.ticketId))) problems.push(`message ${m.channel} ${m.externalId} has no ticket`);

  checkTickets(tickets, inbound, tally, problems);
  await checkTranscripts(db, accepted, byKey, ticketById, tally, problems);
  checkAcknowledgements(tickets, inbound, acks, sinkMessages, faultTimes, windowMs, tally, problems);

  const total = Object.values(byChannel).reduce((sum, t) => ({
    accepted: sum.accepted + t.accepted, lost: sum.lost + t.lost, duplicated: sum.duplicated + t.duplicated, redelivered: sum.redelivered + t.redelivered,
  }), { accepted: 0, lost: 0, duplicated: 0, redelivered: 0 });
  return { ...total, byChannel, problems };
}

/** A mail or a form is one ticket; a chat conversation is one ticket holding all its messages. */
function checkTickets(tickets: Doc[], inbound: Doc[], tally: (c: string) => Tally, problems: string[]): void {
  const perTicket = new Map<string, Doc[]>();
  for (const m of inbound) perTicket.set(String(m.ticketId), [...(perTicket.get(String(m.ticketId)) ?? []), m]);
  for (const t of tickets) {
    const held = perTicket.get(String(t._id)) ?? [];
    const conversations = new Set(held.map((m) => conversationOf(m.externalId)));
    const fine = t.channel === 'chat' ? held.length >= 1 && conversations.size === 1 : held.length === 1;
    if (fine) continue;
    tally(t.channel).duplicated++;
    problems.push(`${t.channel} ticket #${t.number} holds ${held.length} inbound message(s)${t.channel === 'chat' ? ` of ${conversations.size} conversation(s)` : ''}`);
  }
  const ticketsOf = new Map<string, Set<string>>();
  for (const m of inbound.filter((x) => x.channel === 'chat')) {
    const c = conversationOf(m.externalId);
    ticketsOf.set(c, (ticketsOf.get(c) ?? new Set()).add(String(m.ticketId)));
  }
  for (const [c, ids] of ticketsOf) {
    if (ids.size === 1) continue;
    tally('chat').duplicated += ids.size - 1;
    problems.push(`chat conversation ${c} is split over ${ids.size} tickets`);
  }
  const numbers = tickets.map((t) => t.number);
  if (new Set(numbers).size !== numbers.length) {
    tally(String(tickets[0]?.channel ?? 'email')).duplicated++;
    problems.push(`ticket numbers repeat: ${numbers.length} tickets, ${new Set(numbers).size} numbers`);
  }
}

/** Each acked chat message is one line of its conversation's transcript, under its ticket's number. */
async function checkTranscripts(
  db: Db, accepted: Ledger, byKey: Map<string, Doc>, ticketById: Map<string, Doc>, tally: (c: string) => Tally, problems: string[],
): Promise<void> {
  const chat = [...accepted.values()].filter((a) => a.channel === 'chat');
  if (!chat.length) return;
  const lines = await db.collection('chat_lines').find({ conversationId: { $in: [...new Set(chat.map((a) => conversationOf(a.externalId)))] } }).toArray();
  for (const { externalId } of chat) {
    const conversation = conversationOf(externalId);
    const mine = lines.filter((l) => l.conversationId === conversation && l.key === `visitor:${clientIdOf(externalId)}`);
    const ticket = ticketById.get(String(byKey.get(storedKey('chat', externalId))?.ticketId));
    if (mine.length === 1 && ticket && mine[0]!.ticketNumber === ticket.number) continue;
    if (mine.length === 0) tally('chat').lost++;
    else if (mine.length > 1) tally('chat').duplicated += mine.length - 1;
    problems.push(`chat ${externalId}: ${mine.length} transcript line(s) (seq ${mine.map((l) => l.seq).join(', ') || '-'}), ticket #${mine[0]?.ticketNumber ?? '-'} vs #${ticket?.number ?? '-'}`);
  }
}

/** One acknowledgement queued per ticket, and one copy of it at the peer (or a redelivery in SMTP's window). */
function checkAcknowledgements(
  tickets: Doc[], inbound: Doc[], acks: Doc[], sinkMessages: SinkMessage[], faultTimes: FaultTime[], windowMs: number,
  tally: (c: string) => Tally, problems: string[],
): void {
  const acksOf = new Map<string, Doc[]>();
  for (const a of acks) acksOf.set(String(a.ticketId), [...(acksOf.get(String(a.ticketId)) ?? []), a]);
  const copies = new Map<string, SinkMessage[]>();
  for (const s of sinkMessages) copies.set(bare(s.parsed.messageId), [...(copies.get(bare(s.parsed.messageId)) ?? []), s]);
  const ackIds = new Set(acks.map((a) => bare(a.messageId)));
  for (const [id, got] of copies) if (!ackIds.has(id)) problems.push(`the peer got ${got.length} mail(s) <${id}> that acknowledge no stored ticket (subject ${got[0]!.parsed.subject ?? ''})`);
  const withMessages = new Set(inbound.map((m) => String(m.ticketId)));

  for (const t of tickets.filter((x) => withMessages.has(String(x._id)))) {
    const queued = acksOf.get(String(t._id)) ?? [];
    if (queued.length !== 1) {
      tally(t.channel).duplicated += Math.max(0, queued.length - 1);
      // Why none was queued: the decision stored with the message that opened the ticket.
      const decision = inbound.find((m) => String(m.ticketId) === String(t._id) && m.opensTicket)?.ackDecision as { rule?: string; detail?: string } | undefined;
      problems.push(`${queued.length} acknowledgements queued for ${t.channel} ticket #${t.number}${decision ? ` (decision: ${decision.rule}, ${decision.detail})` : ''}`);
    }
    const ack = queued[0];
    if (!ack) continue;
    const got = (copies.get(bare(ack.messageId)) ?? []).sort((a, b) => a.receivedAt - b.receivedAt);
    if (!got.length) {
      tally(t.channel).lost++;
      problems.push(`acknowledgement of ${t.channel} ticket #${t.number} never reached the peer`);
      continue;
    }
    const first = got[0]!.receivedAt;
    for (const extra of got.slice(1)) {
      // The fault hit between the copy's last second on the wire and `windowMs` after its 250.
      const explained = faultTimes.some((f) => {
        const [from, to] = typeof f === 'number' ? [f, f] : f;
        return to >= first - 1_000 && from <= first + windowMs && from <= extra.receivedAt;
      });
      if (explained) tally(t.channel).redelivered++;
      else {
        tally(t.channel).duplicated++;
        problems.push(`acknowledgement of ${t.channel} ticket #${t.number} arrived again ${extra.receivedAt - first} ms later with no fault in SMTP's window`);
      }
    }
  }
}
