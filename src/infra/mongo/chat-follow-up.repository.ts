import type { ChatDigest, ChatFollowUpRepository } from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

const toDigest = (doc: object) => fromDoc<ChatDigest>(doc);

/** Follow-up addresses by contact id, digests by their deterministic id (see chat-follow-up.schemas.ts). */
export class MongoChatFollowUpRepository implements ChatFollowUpRepository {
  constructor(private readonly m: Models) {}

  async setAddress(contactId: string, address: string, at: Date): Promise<void> {
    await this.m.ChatFollowUp.updateOne({ _id: contactId }, { $set: { address, updatedAt: at } }, { upsert: true });
  }

  async address(contactId: string): Promise<string | null> {
    const doc = await this.m.ChatFollowUp.findById(contactId).lean<{ address?: string }>();
    return doc?.address ?? null;
  }

  /** A unique insert: of two schedulers racing for one id exactly one creates it. */
  async scheduleDigest(digest: Omit<ChatDigest, 'status' | 'lineIds'>): Promise<boolean> {
    const { id, ...fields } = digest;
    try {
      await this.m.ChatDigest.create({ _id: id, ...fields, status: 'pending', lineIds: [] });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async pendingDigest(ticketId: string): Promise<ChatDigest | null> {
    const doc = await this.m.ChatDigest.findOne({ ticketId, status: 'pending' }).lean();
    return doc ? toDigest(doc) : null;
  }

  async digestsOf(ticketId: string): Promise<ChatDigest[]> {
    const docs = await this.m.ChatDigest.find({ ticketId }).sort({ createdAt: 1 }).lean();
    return docs.map(toDigest);
  }

  async dueDigests(now: Date, limit: number): Promise<ChatDigest[]> {
    const docs = await this.m.ChatDigest.find({ status: 'pending', dueAt: { $lte: now } }).sort({ dueAt: 1 }).limit(limit).lean();
    return docs.map(toDigest);
  }

  async markDigestDone(id: string, lineIds: string[], at: Date): Promise<void> {
    await this.m.ChatDigest.updateOne({ _id: id }, { $set: { status: 'done', lineIds, doneAt: at } });
  }
}
