import type { DeliveryReceipt, MailOutboxEntry, OutboundMessage, OutboxEntry, OutboxRepository } from '../../core/index.ts';
import { fromDoc } from './doc-mapper.ts';
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

/** Due entries looked at per claim: enough to get past ones another dispatcher is claiming right now. */
const CANDIDATES = 8;

/** An empty array may come back absent (a mail with no References); the mail variant always has its lists. */
function toEntry(doc: object): OutboxEntry {
  const entry = fromDoc<OutboxEntry>(doc);
  return entry.channel === 'email' ? { ...entry, references: entry.references ?? [], headers: entry.headers ?? [] } : entry;
}

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

  /**
   * Claims by inserting `<id>#<attempt>` into outbox_claims: of two dispatchers racing for one entry
   * exactly one inserts it (the other gets a duplicate key and moves on), whatever the server's
   * findAndModify guarantees. The claim id is also the entry's claimToken, which fences its results.
   */
  async claimDue(now: Date, leaseMs: number, channels: string[]): Promise<OutboxEntry | null> {
    const due = await this.m.Outbox.find({ status: { $in: ['pending', 'sending'] }, nextAttemptAt: { $lte: now }, channel: { $in: channels } })
      .sort({ nextAttemptAt: 1 }).limit(CANDIDATES).lean();
    for (const doc of due) {
      const attempts = (doc.attempts ?? 0) + 1;
      const claimToken = `${doc._id}#${attempts}`;
      try {
        await this.m.OutboxClaim.create({ _id: claimToken, at: now });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await this.passStaleClaim(String(doc._id), attempts, claimToken, now, leaseMs);
        continue; // another dispatcher holds this attempt
      }
      const nextAttemptAt = new Date(now.getTime() + leaseMs);
      await this.m.Outbox.updateOne({ _id: doc._id }, { $set: { status: 'sending', nextAttemptAt, claimToken, attempts } });
      return toEntry({ ...doc, status: 'sending', nextAttemptAt, claimToken, attempts });
    }
    return null;
  }

  /**
   * A claim whose holder died before it could mark the entry (its lease is over, the entry still
   * shows the attempt before): count that attempt as made, so the next claim takes the one after.
   */
  private async passStaleClaim(id: string, attempts: number, claimToken: string, now: Date, leaseMs: number): Promise<void> {
    const claim = await this.m.OutboxClaim.findById(claimToken).lean();
    if (claim?.at && now.getTime() - new Date(claim.at).getTime() > leaseMs) {
      await this.m.Outbox.updateOne({ _id: id, attempts: attempts - 1 }, { $set: { attempts } });
    }
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

  async requeueFailed(id: string, attempts: number, at: Date): Promise<boolean> {
    const res = await this.m.Outbox.updateOne(
      { _id: id, status: 'failed', attempts },
      { $set: { status: 'pending', nextAttemptAt: at, attemptsBeforeResend: attempts }, $inc: { resends: 1 } },
    );
    return res.modifiedCount === 1;
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
