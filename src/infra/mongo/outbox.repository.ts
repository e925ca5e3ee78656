import type {
  MailOutboxEntry, OutboundMessage, OutboxClaimRequest, OutboxClaimResult, OutboxEntry, OutboxRepository, OutboxSettlement,
} from '../../core/index.ts';
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';
import { OutboxClaims, supersedes, toEntry } from './outbox.claims.ts';

type Doc = Record<string, unknown> & { _id: string; attempts?: number; resends?: number; status?: string };

/**
 * A new entry as mongoose's `create` stored it: every list of the schema present (empty when the
 * variant has none), the receipt's empty lists, and no nested object without a value (`create`
 * minimized those). Undefined values are left out by the insert (`ignoreUndefined`).
 */
export function outboxDocument(entry: Record<string, unknown>): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    const plain = value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
    if (value === undefined || (plain && Object.values(value).every((v) => v === undefined))) continue;
    doc[key] = value;
  }
  for (const key of ['to', 'references', 'headers'] as const) doc[key] ??= [];
  doc.receipt ??= { accepted: [], rejected: [] };
  return doc;
}

/**
 * The outbox: `outbox` holds the waiting entries (pending; `sending` only in data of older
 * versions), `outbox_done` the finished ones (sent, failed, undelivered); claims and settling are
 * in outbox.claims.ts. Readers look at both: a waiting copy wins unless the finished one
 * supersedes it (a leftover of a crash mid-move, cleaned up by the next claim).
 */
export class MongoOutboxRepository implements OutboxRepository {
  private readonly claims: OutboxClaims;

  constructor(private readonly m: Models) {
    this.claims = new OutboxClaims(m);
  }

  /**
   * An insert (its duplicate key is the "already queued"): it costs the same however full the outbox
   * is. The driver's insert, not mongoose's `create`, which built and validated a document first (on
   * every acknowledgement); `outboxDocument` stores what `create` stored.
   */
  async enqueue(message: OutboundMessage, at: Date): Promise<void> {
    const { id, ...fields } = message;
    try {
      await this.m.Outbox.collection.insertOne(
        outboxDocument({ _id: id, ...fields, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at }) as never, { ignoreUndefined: true },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  heartbeat(sender: string, until: Date): Promise<void> {
    return this.claims.heartbeat(sender, until);
  }

  retire(sender: string): Promise<void> {
    return this.claims.retire(sender);
  }

  claimDue(now: Date, request: OutboxClaimRequest): Promise<OutboxClaimResult> {
    return this.claims.claimDue(now, request);
  }

  settle(settlements: OutboxSettlement[]): Promise<boolean[]> {
    return this.claims.settle(settlements);
  }

  sweep(): Promise<void> {
    return this.claims.sweep();
  }

  moveFinished(limit: number): Promise<number> {
    return this.claims.moveFinished(limit);
  }

  /**
   * A failed entry goes back into `outbox` (an insert: of two requests one wins), with its
   * attempts, a fresh budget and one more resend; its finished copy gives way when this round ends.
   * An entry failed under an older version may still be in `outbox` itself: requeued in place.
   */
  async requeueFailed(id: string, attempts: number, at: Date): Promise<boolean> {
    const inPlace = await this.m.Outbox.updateOne(
      { _id: id, status: 'failed', attempts },
      { $set: { status: 'pending', nextAttemptAt: at, attemptsBeforeResend: attempts }, $inc: { resends: 1 } },
    );
    if (inPlace.modifiedCount === 1) return true;
    const done = await this.m.OutboxDone.findById(id).lean<Doc>();
    if (done?.status !== 'failed' || done.attempts !== attempts) return false;
    const fields: Record<string, unknown> = { ...done };
    delete fields.lastError;
    try {
      await this.m.Outbox.collection.insertOne({
        ...fields, _id: id, status: 'pending', nextAttemptAt: at, attemptsBeforeResend: attempts, resends: (done.resends ?? 0) + 1,
      } as never);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** The waiting copy, unless a finished one supersedes it; read in this order so a move in between is never missed. */
  async byId(id: string): Promise<OutboxEntry | null> {
    const live = await this.m.Outbox.findById(id).lean<Doc>();
    const done = await this.m.OutboxDone.findById(id).lean<Doc>();
    const doc = live && !(done && supersedes(done, live)) ? live : done;
    return doc ? toEntry(doc) : null;
  }

  async listByTicket(ticketId: string): Promise<OutboxEntry[]> {
    const live = await this.m.Outbox.find({ ticketId }).lean<Doc[]>();
    const done = await this.m.OutboxDone.find({ ticketId }).lean<Doc[]>();
    return merge(live, done).sort((a, b) => +new Date(a.createdAt as Date) - +new Date(b.createdAt as Date)).map(toEntry);
  }

  async byVerpId(verpId: string): Promise<MailOutboxEntry | null> {
    return this.first({ verpId, channel: 'email' });
  }

  async byMessageIds(ids: string[]): Promise<MailOutboxEntry | null> {
    if (!ids.length) return null;
    return this.first({ messageId: { $in: ids }, channel: 'email' });
  }

  private async first(filter: Record<string, unknown>): Promise<MailOutboxEntry | null> {
    const doc = (await this.m.Outbox.findOne(filter).lean<Doc>()) ?? (await this.m.OutboxDone.findOne(filter).lean<Doc>());
    return doc ? (toEntry(doc) as MailOutboxEntry) : null;
  }

  /** A report comes after the mail left, so the entry is normally finished; else its waiting copy. */
  async recordBounce(id: string, bounce: NonNullable<OutboxEntry['bounce']>, failed: boolean): Promise<void> {
    const error = `${bounce.action} ${bounce.status} for ${bounce.recipient}${bounce.diagnostic ? `: ${bounce.diagnostic}` : ''}`;
    const update = { $set: { bounce, ...(failed ? { status: 'failed', lastError: error } : {}) } };
    const res = await this.m.OutboxDone.updateOne({ _id: id }, update);
    if (res.matchedCount === 0) await this.m.Outbox.updateOne({ _id: id }, update);
  }
}

/** One document per id: the waiting copy unless the finished one supersedes it. */
function merge(live: Doc[], done: Doc[]): Doc[] {
  const byId = new Map(done.map((d) => [d._id, d]));
  for (const l of live) {
    const d = byId.get(l._id);
    if (!d || !supersedes(d, l)) byId.set(l._id, l);
  }
  return [...byId.values()];
}
