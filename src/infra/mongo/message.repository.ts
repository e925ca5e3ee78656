import type { Decision, MessageRepository, StoredMessage } from '../../core/index.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import { fromDoc } from './doc-mapper.ts';
import type { Models } from './models.ts';

const toStoredMessage = (doc: object) => fromDoc<StoredMessage>(doc);

/**
 * A message's `_id` derives from its idempotency key, so storing it and finding out that it was
 * stored already are one insert, and every later write goes by `_id` (the only filter FerretDB
 * 1.24 pushes down to its storage: anything else scans the collection).
 */
export function messageKey(channel: string, externalId: string): string {
  return stableId('m', channel, externalId);
}

export class MongoMessageRepository implements MessageRepository {
  constructor(private readonly m: Models) {}

  async byExternalId(channel: string, externalId: string): Promise<StoredMessage | null> {
    const doc = await this.m.Message.findById(messageKey(channel, externalId)).lean()
      // Stored before ids were derived (ObjectId): found by its fields, off the hot path.
      ?? await this.m.Message.findOne({ channel, externalId }).lean();
    return doc ? toStoredMessage(doc) : null;
  }

  async byRfcMessageIds(ids: string[]): Promise<StoredMessage | null> {
    if (!ids.length) return null;
    const doc = await this.m.Message.findOne({ rfcMessageId: { $in: ids } }).sort({ createdAt: 1 }).lean();
    return doc ? toStoredMessage(doc) : null;
  }

  async insert(message: Omit<StoredMessage, 'id' | 'createdAt'>): Promise<StoredMessage | null> {
    const _id = messageKey(message.channel, message.externalId);
    const createdAt = new Date();
    try {
      await this.m.Message.create({ _id, ...message, createdAt });
      return { ...message, id: _id, createdAt } as StoredMessage;
    } catch (err) {
      // A duplicate on `_id`, or on (channel, externalId) for a message stored with an old id.
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  async markComplete(channel: string, externalId: string, ticketNumber: number, ackDecision?: Decision): Promise<void> {
    await this.setFields(channel, externalId, { complete: true, ticketNumber, ...(ackDecision ? { ackDecision } : {}) });
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
    const doc = await this.m.Message.findById(String(id)).lean();
    return doc ? toStoredMessage(doc) : null;
  }

  async listByTicket(ticketId: string): Promise<StoredMessage[]> {
    const docs = await this.m.Message.find({ ticketId }).sort({ createdAt: 1, _id: 1 }).lean();
    return docs.map(toStoredMessage);
  }
}
