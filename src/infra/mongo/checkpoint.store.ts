import type { CheckpointStore } from '../../core/index.ts';
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

const LEASE_FIELDS = new Set(['_id', 'leaseOwner', 'leaseExpiresAt', 'updatedAt']);

/** mailbox_cursors: one document per consumed source holding the consumer lease and the channel's checkpoint. */
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

  async load(key: string): Promise<Record<string, unknown> | null> {
    const doc = await this.m.MailboxCursor.findById(key).lean<Record<string, unknown>>();
    const state = Object.fromEntries(Object.entries(doc ?? {}).filter(([k]) => !LEASE_FIELDS.has(k)));
    return Object.keys(state).length ? state : null;
  }

  async save(key: string, owner: string, state: Record<string, number | string>, leaseMs: number): Promise<boolean> {
    const now = new Date();
    const res = await this.m.MailboxCursor.updateOne(
      { _id: key, leaseOwner: owner },
      { $set: { ...state, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now } },
    );
    return res.matchedCount === 1;
  }
}
