/**
 * Which ticket a conversation (a chat visitor) is on now, by `_id`: `conversation_tickets` maps a
 * ticket's `conversationKey` to the newest ticket opened for it. Every chat line looks its ticket up
 * this way, so the lookup must not scan `tickets` (FerretDB 1.24 pushes down only `_id` equality).
 *
 * The pointer is written before the ticket it names (ticket.repository.ts createOnce): a ticket of a
 * conversation never exists without its pointer. A crash between the two leaves a pointer to a
 * ticket not (yet) stored; the reader then falls back to the scan, which finds what the pointer
 * would have named before, and the opening message's replay stores the ticket.
 */
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

const BACKFILL = 'conversation-tickets';
const BATCH = 500;

export async function pointConversation(m: Models, conversationKey: string, ticketId: string): Promise<void> {
  await m.ConversationTicket.updateOne({ _id: conversationKey }, { $set: { ticketId } }, { upsert: true });
}

export async function conversationTicketId(m: Models, conversationKey: string): Promise<string | null> {
  const doc = await m.ConversationTicket.findById(conversationKey).lean<{ ticketId: string }>();
  return doc?.ticketId ?? null;
}

/**
 * Tickets stored before the pointers existed get theirs, once: each conversation's newest ticket.
 * Insert-only, so a pointer a running gateway wrote meanwhile (a newer ticket) is kept; the marker
 * goes in last, so a start cut short runs it again. Returns how many pointers were written.
 */
export async function backfillConversationTickets(m: Models): Promise<number> {
  if (await m.Migration.findById(BACKFILL).lean()) return 0;
  const docs = await m.Ticket.find({ conversationKey: { $exists: true } }, { conversationKey: 1, number: 1 })
    .lean<Array<{ _id: string; conversationKey?: string; number: number }>>();
  const newest = new Map<string, { id: string; number: number }>();
  for (const d of docs) {
    if (!d.conversationKey) continue;
    const known = newest.get(d.conversationKey);
    if (!known || known.number < d.number) newest.set(d.conversationKey, { id: d._id, number: d.number });
  }
  const ops = [...newest].map(([key, t]) => ({ updateOne: { filter: { _id: key }, update: { $setOnInsert: { ticketId: t.id } }, upsert: true } }));
  for (let i = 0; i < ops.length; i += BATCH) await m.ConversationTicket.bulkWrite(ops.slice(i, i + BATCH), { ordered: false });
  await m.Migration.updateOne({ _id: BACKFILL }, { $setOnInsert: { at: new Date() } }, { upsert: true })
    // Two gateways starting at once: FerretDB refuses the second upsert of the same marker as a duplicate key; the marker is written either way.
    .catch((err: unknown) => { if (!isDuplicateKey(err)) throw err; });
  return ops.length;
}
