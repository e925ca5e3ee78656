import { randomUUID } from 'node:crypto';
import type { DeliveryReceipt, MailOutboxEntry, OutboundMessage, OutboxEntry, OutboxRepository } from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import type { Models } from './models.ts';

const toEntry = (doc: object) => fromDoc<OutboxEntry>(doc);

/**
 * The outbox. A `sending` entry's nextAttemptAt is its lease expiry: when a sender dies mid-send,
 * the entry becomes due again and is retried (at-least-once; our Message-ID stays the same, so a
 * receiving client shows a repeat as one mail).
 */
export class MongoOutboxRepository implements OutboxRepository {
  constructor(private readonly m: Models) {}

  async enqueue(message: OutboundMessage, at: Date): Promise<void> {
    const { id, ...fields } = message;
    await this.m.Outbox.updateOne(
      { _id: id },
      { $setOnInsert: { ...fields, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at } },
      { upsert: true },
    );
  }

  async claimDue(now: Date, leaseMs: number, channels: string[]): Promise<OutboxEntry | null> {
    const doc = await this.m.Outbox.findOneAndUpdate(
      { status: { $in: ['pending', 'sending'] }, nextAttemptAt: { $lte: now }, channel: { $in: channels } },
      { $set: { status: 'sending', nextAttemptAt: new Date(now.getTime() + leaseMs), claimToken: randomUUID() }, $inc: { attempts: 1 } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
    ).lean();
    return doc ? toEntry(doc) : null;
  }

  async extendLease(id: string, claimToken: string, until: Date): Promise<boolean> {
    return this.fenced(id, claimToken, { $set: { nextAttemptAt: until } });
  }

  async markSent(id: string, claimToken: string, receipt: DeliveryReceipt, at: Date): Promise<boolean> {
    return this.fenced(id, claimToken, { $set: { status: 'sent', receipt, sentAt: at }, $unset: { lastError: 1 } });
  }

  async markRetry(id: string, claimToken: string, error: string, nextAttemptAt: Date): Promise<boolean> {
    return this.fenced(id, claimToken, { $set: { status: 'pending', lastError: error, nextAttemptAt } });
  }

  async markFailed(id: string, claimToken: string, error: string, at: Date): Promise<boolean> {
    return this.fenced(id, claimToken, { $set: { status: 'failed', lastError: error, nextAttemptAt: at } });
  }

  /** Applies the update only while `claimToken` is the entry's current claim and it is still sending. */
  private async fenced(id: string, claimToken: string, update: Record<string, unknown>): Promise<boolean> {
    const res = await this.m.Outbox.updateOne({ _id: id, claimToken, status: 'sending' }, update);
    return res.matchedCount === 1;
  }

  async markUndelivered(id: string, claimToken: string, detail: string, at: Date): Promise<boolean> {
    return this.fenced(id, claimToken, { $set: { status: 'undelivered', lastError: detail, nextAttemptAt: at } });
  }

  async listByTicket(ticketId: string): Promise<OutboxEntry[]> {
    const docs = await this.m.Outbox.find({ ticketId }).sort({ createdAt: 1 }).lean();
    return docs.map(toEntry);
  }

  async byVerpId(verpId: string): Promise<MailOutboxEntry | null> {
    const doc = await this.m.Outbox.findOne({ verpId, channel: 'email' }).lean();
    return doc ? (toEntry(doc) as MailOutboxEntry) : null;
  }

  async byMessageIds(ids: string[]): Promise<MailOutboxEntry | null> {
    if (!ids.length) return null;
    const doc = await this.m.Outbox.findOne({ messageId: { $in: ids }, channel: 'email' }).lean();
    return doc ? (toEntry(doc) as MailOutboxEntry) : null;
  }

  async recordBounce(id: string, bounce: NonNullable<OutboxEntry['bounce']>, failed: boolean): Promise<void> {
    const error = `${bounce.action} ${bounce.status} for ${bounce.recipient}${bounce.diagnostic ? `: ${bounce.diagnostic}` : ''}`;
    await this.m.Outbox.updateOne({ _id: id }, { $set: { bounce, ...(failed ? { status: 'failed', lastError: error } : {}) } });
  }

  async byId(id: string): Promise<OutboxEntry | null> {
    const doc = await this.m.Outbox.findById(id).lean();
    return doc ? toEntry(doc) : null;
  }
}
