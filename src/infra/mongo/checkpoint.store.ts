import type { CheckpointStore, MailboxCursor } from '../../core/index.ts';
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

/** mailbox_cursors: one document per account/folder holding the UID cursor and the consumer lease. */
export class MongoCheckpointStore implements CheckpointStore {
  constructor(private readonly m: Models) {}

  async acquireLease(key: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = new Date();
    try {
      const res = await this.m.MailboxCursor.updateOne(
        { _id: key, $or: [{ leaseOwner: owner }, { leaseExpiresAt: { $lt: now } }, { leaseOwner: null }] },
        { $set: { leaseOwner: owner, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now } },
        { upsert: true },
      );
      return res.matchedCount + res.upsertedCount > 0;
    } catch (err) {
      if (isDuplicateKey(err)) return false; // the document exists and someone else holds the lease
      throw err;
    }
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await this.m.MailboxCursor.updateOne({ _id: key, leaseOwner: owner }, { $set: { leaseOwner: null, leaseExpiresAt: new Date(0) } });
  }

  async load(key: string): Promise<MailboxCursor | null> {
    const doc = await this.m.MailboxCursor.findById(key).lean();
    if (!doc || doc.uidValidity == null) return null;
    return { uidValidity: doc.uidValidity, lastUid: doc.lastUid ?? 0 };
  }

  async save(key: string, owner: string, cursor: MailboxCursor, leaseMs: number): Promise<boolean> {
    const now = new Date();
    const res = await this.m.MailboxCursor.updateOne(
      { _id: key, leaseOwner: owner },
      { $set: { ...cursor, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now } },
    );
    return res.matchedCount === 1;
  }
}
