import type { Decision, MessageRepository, StoredMessage } from '../../core/index.ts';
import { isDuplicateKey } from './ids.ts';
import { fromDoc } from './doc-mapper.ts';
import type { Models } from './models.ts';

const toStoredMessage = (doc: object) => fromDoc<StoredMessage>(doc);

export class MongoMessageRepository implements MessageRepository {
  constructor(private readonly m: Models) {}

  async byExternalId(channel: string, externalId: string): Promise<StoredMessage | null> {
    const doc = await this.m.Message.findOne({ channel, externalId }).lean();
    return doc ? toStoredMessage(doc) : null;
  }

  async byRfcMessageIds(ids: string[]): Promise<StoredMessage | null> {
    if (!ids.length) return null;
    const doc = await this.m.Message.findOne({ rfcMessageId: { $in: ids } }).sort({ createdAt: 1 }).lean();
    return doc ? toStoredMessage(doc) : null;
  }

  async insert(message: Omit<StoredMessage, 'id' | 'createdAt'>): Promise<boolean> {
    try {
      await this.m.Message.create({ ...message, createdAt: new Date() });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async markComplete(channel: string, externalId: string, ticketNumber: number): Promise<void> {
    await this.m.Message.updateOne({ channel, externalId }, { $set: { complete: true, ticketNumber } });
  }

  async setAckDecision(channel: string, externalId: string, decision: Decision): Promise<void> {
    await this.m.Message.updateOne({ channel, externalId }, { $set: { ackDecision: decision } });
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
