import type { NewTicket, Ticket, TicketChange, TicketRepository, TicketStatus } from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import type { Models } from './models.ts';

type TicketDoc = Omit<Ticket, 'id'> & { _id: string };

function toTicket(doc: TicketDoc): Ticket {
  // Storage keys (how replays and conversations find the ticket) are not part of the domain object.
  const ticket = fromDoc<Ticket & { originKey?: string; conversationKey?: string }>(doc);
  delete ticket.originKey;
  delete ticket.conversationKey;
  return { ...ticket, participantIds: ticket.participantIds ?? [], flags: ticket.flags ?? [] };
}

export class MongoTicketRepository implements TicketRepository {
  constructor(private readonly m: Models) {}

  private async nextNumber(): Promise<number> {
    const doc = await this.m.Counter.findOneAndUpdate(
      { _id: 'ticket' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' },
    ).lean();
    return doc!.seq!;
  }

  async createOnce(t: NewTicket): Promise<Ticket> {
    const _id = stableId('tk', t.originKey);
    const existing = await this.byId(_id);
    if (existing) return existing;
    const number = await this.nextNumber();
    const insert = {
      originKey: t.originKey, number, subject: t.subject, status: 'new', priority: 'normal',
      channel: t.channel, requesterId: t.requesterId, participantIds: t.participantIds, locale: t.locale,
      flags: t.flags, createdAt: t.at, updatedAt: t.at, lastMessageAt: t.at,
      ...(t.linkedTicketNumbers?.length ? { linkedTicketNumbers: t.linkedTicketNumbers } : {}),
      ...(t.conversationKey ? { conversationKey: t.conversationKey } : {}),
    };
    try {
      await this.m.Ticket.updateOne({ _id }, { $setOnInsert: insert }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a concurrent upsert of the same origin won
    }
    return (await this.byId(_id))!;
  }

  async byId(id: string): Promise<Ticket | null> {
    const doc = await this.m.Ticket.findById(id).lean<TicketDoc>();
    return doc ? toTicket(doc) : null;
  }

  async byNumber(n: number): Promise<Ticket | null> {
    const doc = await this.m.Ticket.findOne({ number: n }).lean<TicketDoc>();
    return doc ? toTicket(doc) : null;
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

  async list(query: { limit: number; beforeNumber?: number }): Promise<Ticket[]> {
    const filter = query.beforeNumber ? { number: { $lt: query.beforeNumber } } : {};
    const docs = await this.m.Ticket.find(filter).sort({ number: -1 }).limit(query.limit).lean<TicketDoc[]>();
    return docs.map(toTicket);
  }

  async byConversation(conversationKey: string): Promise<Ticket | null> {
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
    await this.m.Ticket.updateOne({ _id: id }, update);
  }
}
