import { TransientError, type NewTicket, type Ticket, type TicketChange, type TicketFilter, type TicketRepository, type TicketStatus } from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import { conversationTicketId, pointConversation } from './conversation-tickets.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import type { Models } from './models.ts';
import { ticketFilter } from './ticket.filter.ts';
import { TicketNumberAllocator } from './ticket-number.allocator.ts';

/** How often a ticket insert may lose its number to a concurrent one before we give up (transient). */
const NUMBER_ATTEMPTS = 20;

type TicketDoc = Omit<Ticket, 'id'> & { _id: string };

function toTicket(doc: TicketDoc): Ticket {
  // Storage keys (how replays and conversations find the ticket) are not part of the domain object.
  const ticket = fromDoc<Ticket & { originKey?: string; conversationKey?: string }>(doc);
  delete ticket.originKey;
  delete ticket.conversationKey;
  return { ...ticket, participantIds: ticket.participantIds ?? [], flags: ticket.flags ?? [], tags: ticket.tags ?? [] };
}

/** What an intake rule set, as stored fields (priority replaces the default). */
function presetFields({ preset }: NewTicket): Record<string, unknown> {
  if (!preset) return { tags: [] };
  const { category, priority, tier, assigneeId, tags } = preset;
  return {
    ...(category ? { category } : {}), ...(priority ? { priority } : {}), ...(tier ? { tier } : {}),
    ...(assigneeId ? { assigneeId } : {}), tags: tags ?? [],
  };
}

export class MongoTicketRepository implements TicketRepository {
  private readonly numbers: TicketNumberAllocator;

  constructor(private readonly m: Models) {
    this.numbers = new TicketNumberAllocator(m);
  }

  idForOrigin(originKey: string): string {
    return stableId('tk', originKey);
  }

  /**
   * Creates the origin's ticket once. `absent`: the caller knows it does not exist yet (it just
   * inserted the ticket's opening message), so the first attempt reads nothing first. What is
   * written is what is returned: an upsert that inserted is never read back.
   */
  async createOnce(t: NewTicket, options: { absent?: boolean } = {}): Promise<Ticket> {
    const _id = this.idForOrigin(t.originKey);
    for (let attempt = 1; attempt <= NUMBER_ATTEMPTS; attempt++) {
      if (attempt > 1 || !options.absent) {
        const existing = await this.byId(_id);
        if (existing) return existing; // a replay, or a concurrent ingest of the same origin won
      }
      // The conversation's pointer first: a conversation's ticket is never stored without it. The
      // pointer does not depend on the number, so both go out at once.
      const [number] = await Promise.all([this.numbers.next(_id), t.conversationKey ? pointConversation(this.m, t.conversationKey, _id) : undefined]);
      const insert = {
        originKey: t.originKey, number, subject: t.subject, status: 'new', priority: 'normal',
        channel: t.channel, requesterId: t.requesterId, participantIds: t.participantIds, locale: t.locale,
        flags: t.flags, createdAt: t.at, updatedAt: t.at, lastMessageAt: t.at,
        ...(t.linkedTicketNumbers?.length ? { linkedTicketNumbers: t.linkedTicketNumbers } : {}),
        ...(t.conversationKey ? { conversationKey: t.conversationKey } : {}),
        ...presetFields(t),
      };
      try {
        // The driver's upsert (once per new ticket): mongoose's casting of values typed already cost
        // more CPU than the command (intake-driver-writes.test.ts: the same document is stored).
        const res = await this.m.Ticket.collection.updateOne({ _id: _id as never }, { $setOnInsert: insert }, { upsert: true });
        if (res.upsertedCount === 1) return toTicket({ _id, ...insert } as unknown as TicketDoc);
        // It existed after all (a concurrent ingest of the same origin): the next round reads it.
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Either the same origin was stored concurrently (the loop's byId finds it) or a ticket
        // from before number claims holds this number: draw again (the next claim is above it).
      }
    }
    throw new TransientError(`no free ticket number after ${NUMBER_ATTEMPTS} attempts`);
  }

  async byId(id: string): Promise<Ticket | null> {
    // The driver's read (a reply, the fan-out pass): a mongoose query costs more CPU than the command.
    const doc = await this.m.Ticket.collection.findOne({ _id: id as never }) as TicketDoc | null;
    return doc ? toTicket(doc) : null;
  }

  /**
   * By the number's claim, then the ticket, both by `_id`. A number without a matching claim (a
   * ticket numbered before claims, or a claim whose ticket took another number) is looked up by
   * the field once, and its claim written, so the next lookup goes by `_id`.
   */
  async byNumber(n: number): Promise<Ticket | null> {
    if (!Number.isSafeInteger(n)) return null;
    const claim = await this.m.TicketNumber.collection.findOne({ _id: n as never }) as { ticketId: string } | null;
    const claimed = claim ? await this.byId(claim.ticketId) : null;
    if (claimed?.number === n) return claimed;
    const doc = await this.m.Ticket.findOne({ number: n }).lean<TicketDoc>();
    if (!doc) return null;
    await this.m.TicketNumber.updateOne({ _id: n }, { $set: { ticketId: doc._id } }, { upsert: true });
    return toTicket(doc);
  }

  async requestedBefore(requesterId: string, before: Date): Promise<boolean> {
    return Boolean(await this.m.Ticket.exists({ requesterId: String(requesterId), createdAt: { $lt: before } }));
  }

  async update(id: string, change: TicketChange, at: Date): Promise<void> {
    const set: Record<string, unknown> = { updatedAt: at };
    const unset: Record<string, 1> = {};
    for (const [key, value] of Object.entries(change)) {
      if (value === null) unset[key] = 1;
      else if (value !== undefined) set[key] = value;
    }
    await this.m.Ticket.updateOne({ _id: id }, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
  }

  async list(query: { limit: number; beforeNumber?: number; filter?: TicketFilter }): Promise<Ticket[]> {
    const filter = { ...ticketFilter(query.filter ?? {}), ...(query.beforeNumber ? { number: { $lt: query.beforeNumber } } : {}) };
    const docs = await this.m.Ticket.find(filter).sort({ number: -1 }).limit(query.limit).lean<TicketDoc[]>();
    return docs.map(toTicket);
  }

  async countByStatus(filter: TicketFilter = {}): Promise<Partial<Record<TicketStatus, number>>> {
    // $match, $group and $sum are in the query subset FerretDB 1.24 runs.
    const rows = await this.m.Ticket.aggregate<{ _id: TicketStatus; n: number }>([
      { $match: ticketFilter(filter) }, { $group: { _id: '$status', n: { $sum: 1 } } },
    ]);
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  /** By the conversation's pointer (two `_id` reads); the scan only when the pointer names a ticket never stored (a crash). */
  async byConversation(conversationKey: string): Promise<Ticket | null> {
    const id = await conversationTicketId(this.m, conversationKey);
    if (!id) return null;
    const ticket = await this.byId(id);
    if (ticket) return ticket;
    const doc = await this.m.Ticket.findOne({ conversationKey }).sort({ number: -1 }).lean<TicketDoc>();
    return doc ? toTicket(doc) : null;
  }

  async setStatus(id: string, status: TicketStatus, at: Date): Promise<void> {
    const update = status === 'closed'
      ? { $set: { status, updatedAt: at, closedAt: at } }
      : { $set: { status, updatedAt: at }, $unset: { closedAt: 1 } };
    await this.m.Ticket.updateOne({ _id: id }, update);
  }

  async touch(id: string, change: { participantIds?: string[]; flags?: string[]; status?: TicketStatus; at: Date }): Promise<void> {
    const update: Record<string, unknown> = {
      $set: { updatedAt: change.at, lastMessageAt: change.at, ...(change.status ? { status: change.status } : {}) },
    };
    const add: Record<string, unknown> = {};
    if (change.participantIds?.length) add.participantIds = { $each: change.participantIds };
    if (change.flags?.length) add.flags = { $each: change.flags };
    if (Object.keys(add).length) update.$addToSet = add;
    // The driver's update (every reply): the values are typed already, mongoose would only cast them.
    await this.m.Ticket.collection.updateOne({ _id: id as never }, update);
  }
}
