import type { Decision, MessageRepository, StoredMessage } from '../../core/index.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import { fromDoc } from './doc-mapper.ts';
import type { Models } from './models.ts';

/** Empty lists may come back absent (an upsert's `$setOnInsert` stores none): read them as empty. */
const toStoredMessage = (doc: object) => {
  const m = fromDoc<StoredMessage>(doc);
  return { ...m, to: m.to ?? [], cc: m.cc ?? [], attachments: m.attachments ?? [], decisions: m.decisions ?? [] };
};

/** Array fields mongoose stores as `[]` when a message has none. */
const LIST_FIELDS = ['to', 'cc', 'attachments', 'decisions', 'linkedTicketNumbers'] as const;

/**
 * A message as mongoose's `create` stores it: every list present (empty when absent), no nested
 * object without a value (`from: {}` is left out, as mongoose's minimize does). Undefined values are
 * left out by the insert (`ignoreUndefined`).
 */
export function messageDocument(message: Record<string, unknown>): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (value === undefined) continue;
    const plain = value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
    if (plain && Object.values(value).every((v) => v === undefined)) continue;
    doc[key] = value;
  }
  for (const key of LIST_FIELDS) doc[key] ??= [];
  return doc;
}

/**
 * A message's `_id` derives from its idempotency key, so storing it and finding out that it was
 * stored already are one insert, and every later write goes by `_id` (the only filter FerretDB
 * 1.24 pushes down to its storage: anything else scans the collection).
 */
export function messageKey(channel: string, externalId: string): string {
  return stableId('m', channel, externalId);
}

/** How many of a reply's references are looked up by `_id` before the field query. */
const PROBED_REFERENCES = 3;

export class MongoMessageRepository implements MessageRepository {
  constructor(private readonly m: Models) {}

  async byExternalId(channel: string, externalId: string): Promise<StoredMessage | null> {
    const doc = await this.byKey(messageKey(channel, externalId))
      // Stored before ids were derived (ObjectId): found by its fields, off the hot path.
      ?? await this.m.Message.findOne({ channel, externalId }).lean();
    return doc ? toStoredMessage(doc) : null;
  }

  /**
   * A mail's externalId is its Message-ID, so the messages a reply names (In-Reply-To first, then
   * References newest first) are looked up by the `_id` they were stored under, the first few of
   * them one by one. Only when none of those is stored does the field query run: it finds our own
   * outbound copies (whose ids derive from the outbox entry; our Message-IDs carry a reply token,
   * which threads them before this), messages stored before ids were derived, and a re-keyed mail
   * (a Message-ID reused by a different mail). It scans on FerretDB, so it is kept off the common
   * path: a reply to a stored mail is found by `_id`, and a new mail without references never asks.
   */
  async byRfcMessageIds(channel: string, ids: string[]): Promise<StoredMessage | null> {
    if (!ids.length) return null;
    for (const id of ids.slice(0, PROBED_REFERENCES)) {
      const doc = await this.byKey(messageKey(channel, id));
      if (doc?.rfcMessageId === id) return toStoredMessage(doc);
    }
    const doc = await this.m.Message.findOne({ rfcMessageId: { $in: ids } }).sort({ createdAt: 1 }).lean();
    return doc ? toStoredMessage(doc) : null;
  }

  async insert(message: Omit<StoredMessage, 'id' | 'createdAt'>): Promise<StoredMessage | null> {
    const _id = messageKey(message.channel, message.externalId);
    const createdAt = new Date();
    try {
      // The driver's insert, not mongoose's `create`: hydrating and validating a document cost
      // three times the insert itself (about 1.5 ms of CPU per mail). `messageDocument` stores the
      // shape `create` stored; the types stand in for the schema's strict check.
      await this.m.Message.collection.insertOne(messageDocument({ _id, ...message, createdAt }) as never, { ignoreUndefined: true });
      return { ...message, id: _id, createdAt } as StoredMessage;
    } catch (err) {
      // A duplicate on `_id`, or on (channel, externalId) for a message stored with an old id.
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  async markComplete(channel: string, externalId: string, ticketNumber: number, ackDecision?: Decision, copy?: Omit<StoredMessage, 'id' | 'createdAt'>): Promise<void> {
    const fields = { complete: true, ticketNumber, ...(ackDecision ? { ackDecision } : {}) };
    if (!copy) return this.setFields(channel, externalId, fields);
    // One `update` command, in order: the copy (inserted once), then the completion. The driver's
    // bulk, as for `insert`: mongoose would cast the copy's lists into sub-documents first.
    const res = await this.m.Message.collection.bulkWrite([
      { updateOne: { filter: { _id: messageKey(copy.channel, copy.externalId) as never }, update: { $setOnInsert: messageDocument({ ...copy, createdAt: new Date() }) }, upsert: true } },
      { updateOne: { filter: { _id: messageKey(channel, externalId) as never }, update: { $set: fields } } },
    ], { ordered: true, ignoreUndefined: true });
    if (res.matchedCount + res.upsertedCount < 2) await this.m.Message.updateOne({ channel, externalId }, { $set: fields });
  }

  async setAckDecision(channel: string, externalId: string, decision: Decision): Promise<void> {
    await this.setFields(channel, externalId, { ackDecision: decision });
  }

  /** By `_id`; a message stored before ids were derived is matched by its fields instead. */
  private async setFields(channel: string, externalId: string, fields: Record<string, unknown>): Promise<void> {
    const res = await this.m.Message.updateOne({ _id: messageKey(channel, externalId) }, { $set: fields });
    if (res.matchedCount === 0) await this.m.Message.updateOne({ channel, externalId }, { $set: fields });
  }

  async countAutomaticSince(ticketId: string, since: Date): Promise<number> {
    return this.m.Message.countDocuments({
      ticketId, direction: 'inbound', classification: { $in: ['auto-reply', 'bounce', 'bulk'] }, createdAt: { $gte: since },
    });
  }

  async byId(id: string): Promise<StoredMessage | null> {
    const doc = await this.byKey(String(id));
    return doc ? toStoredMessage(doc) : null;
  }

  /** By `_id`, through the driver: on every reply and fan-out, where a mongoose query cost more CPU than the command. */
  private byKey(id: string): Promise<{ rfcMessageId?: string } | null> {
    return this.m.Message.collection.findOne({ _id: id as never }) as Promise<{ rfcMessageId?: string } | null>;
  }

  async listByTicket(ticketId: string): Promise<StoredMessage[]> {
    const docs = await this.m.Message.find({ ticketId }).sort({ createdAt: 1, _id: 1 }).lean();
    return docs.map(toStoredMessage);
  }
}
