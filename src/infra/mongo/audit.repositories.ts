/** Small append-once collections: audit events, acknowledgement history, quarantine. */
import { agentFanoutWanted } from '../../core/index.ts';
import type {
  AckLimit, AckLogRepository, AuditEvent, EventRepository, QuarantinedItem, QuarantineRecord, QuarantineRepository, Suppression,
  SuppressionRepository,
} from '../../core/index.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import { fromDoc } from './doc-mapper.ts';
import type { Models } from './models.ts';

/**
 * Audit events live in `ticket_events`. An event agents are told about (notify/agent-fanout.ts)
 * is recorded into `agent_fanout` instead, in the same one write, and moves to `ticket_events`
 * once its mails are queued: the pass reads only pending work, never the whole audit trail.
 */
export class MongoEventRepository implements EventRepository {
  /**
   * `fanoutWanted` says whether an event goes to the fan-out queue; by default every event of a
   * type that may mail agents does. The composition narrows it to "and some agent has that mail
   * switched on" (agentsMayBeNotified), so events nobody is mailed about skip the queue.
   */
  constructor(private readonly m: Models, private readonly fanoutWanted: (eventType: string) => Promise<boolean> = async (t) => agentFanoutWanted(t)) {}

  async record(e: AuditEvent): Promise<void> {
    const { id, ...fields } = e;
    const model = agentFanoutWanted(e.type) && await this.fanoutWanted(e.type) ? this.m.AgentFanout : this.m.TicketEvent;
    // The driver's update (once or twice per mail): mongoose would only cast what is typed already.
    // Not `ignoreUndefined`: an undefined value in `data` is stored as null, as mongoose stored it.
    await model.collection.updateOne({ _id: id as never }, { $setOnInsert: fields }, { upsert: true });
  }

  async pendingFanout(limit: number): Promise<AuditEvent[]> {
    // The collection holds only pending events: read whole, sorted in memory on FerretDB.
    // The driver's read: a pass follows every event of this process that mails agents.
    const docs = await this.m.AgentFanout.collection.find({}).sort({ at: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((doc) => fromDoc<AuditEvent>(doc));
  }

  /**
   * Into the audit trail first (unique inserts: one already there, by a replay or another
   * process, is fine), then out of the queue: a crash in between only repeats the queuing of the
   * mails, which their deterministic outbox ids make a no-op.
   */
  async fanoutDone(events: AuditEvent[]): Promise<void> {
    if (!events.length) return;
    const docs = events.map(({ id, ...fields }) => ({ _id: String(id), ...fields }));
    try {
      await this.m.TicketEvent.collection.insertMany(docs as never[], { ordered: false });
    } catch (err) {
      const errors = (err as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
      const list = Array.isArray(errors) ? errors : errors ? [errors] : [err as { code?: number }];
      if (!list.every((e) => isDuplicateKey(e))) throw err;
    }
    await this.m.AgentFanout.collection.bulkWrite(docs.map(({ _id }) => ({ deleteOne: { filter: { _id: _id as never } } })), { ordered: false });
  }
}

/**
 * Acknowledgement limits as per-window counters in `ack_counts` (`_id` = `<scope>:<key>:<window
 * start ms>`). All of a mail's counters go in one ordered bulk update, each statement an upsert
 * filtered on `n < limit`: a counter with room is raised (or created), a full one matches nothing,
 * so its upsert collides with the existing `_id` (duplicate key) and the ordered bulk stops there.
 * The error does not reliably say which statement failed (FerretDB 1.24 reports index 0 and no
 * counts), so each statement also stamps the counter with the mail's name (`by`, its outbox id),
 * and only then (a full window is the rare case) the counters are read by `_id` to see where the
 * bulk stopped. The same stamp tells the repeat of an interrupted ingest which counters its first
 * attempt raised already (`raisedBy`), so a mail retried across crashes is counted once.
 */
export class MongoAckLogRepository implements AckLogRepository {
  constructor(private readonly m: Models) {}

  async countWithin(limits: AckLimit[], at: Date, by: string): Promise<{ index: number; count: number } | null> {
    if (!limits.length) return null;
    const ids = limits.map((l) => counterId(l, at));
    try {
      // The driver's bulk (once per acknowledgement): the values need no casting.
      await this.m.AckCount.collection.bulkWrite(limits.map((l, i) => ({
        updateOne: {
          filter: { _id: ids[i] as never, n: { $lt: l.limit } },
          update: { $inc: { n: 1 }, $set: { by }, $setOnInsert: { windowEndsAt: windowEnd(l, at) } },
          upsert: true,
        },
      })), { ordered: true });
      return null;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    for (let index = 0; index < limits.length; index++) {
      const doc = await this.m.AckCount.findById(ids[index]).lean<{ n?: number; by?: string }>();
      if (doc?.by === by) continue; // raised for this mail: it had room
      // The bulk stopped here: a full window, or two first counts of a window at once (its
      // creation raced ours). Count this one and the rest one by one, as the bulk would have.
      for (let rest = index; rest < limits.length; rest++) {
        const count = await this.count(limits[rest]!, at, by);
        if (count > limits[rest]!.limit) return { index: rest, count };
      }
      return null;
    }
    return null;
  }

  async raisedBy(limits: AckLimit[], at: Date, by: string): Promise<number> {
    for (let index = 0; index < limits.length; index++) {
      const doc = await this.m.AckCount.findById(counterId(limits[index]!, at)).lean<{ by?: string }>();
      if (doc?.by !== by) return index;
    }
    return limits.length;
  }

  /** One more mail on one counter, unconditionally; the window's count including it. */
  private async count(limit: AckLimit, at: Date, by: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        const doc = await this.m.AckCount.findOneAndUpdate(
          { _id: counterId(limit, at) }, { $inc: { n: 1 }, $set: { by }, $setOnInsert: { windowEndsAt: windowEnd(limit, at) } }, { upsert: true, returnDocument: 'after' },
        ).lean<{ n: number }>();
        return doc!.n;
      } catch (err) {
        // Two first counts of a window at once: the loser's upsert hits the winner's `_id`. Count again.
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
      }
    }
  }
}

const windowStart = ({ windowMs }: AckLimit, at: Date) => Math.floor(at.getTime() / windowMs) * windowMs;
const windowEnd = (l: AckLimit, at: Date) => new Date(windowStart(l, at) + l.windowMs);
const counterId = (l: AckLimit, at: Date) => `${l.scope}:${l.key.toLowerCase()}:${windowStart(l, at)}`;

export class MongoQuarantineRepository implements QuarantineRepository {
  constructor(private readonly m: Models) {}

  /** The id derives from the raw bytes: the same broken mail quarantined twice is one entry. */
  async add(item: QuarantineRecord, at: Date): Promise<{ id: string; duplicate: boolean }> {
    const _id = stableId('q', item.channel, item.checksum);
    const res = await this.m.Quarantine.updateOne({ _id }, {
      $setOnInsert: {
        channel: item.channel, source: item.source, reason: item.reason, rawBlobId: item.rawBlobId,
        checksum: item.checksum, size: item.size, status: 'held', attempts: 0, createdAt: at, updatedAt: at,
      },
    }, { upsert: true });
    return { id: _id, duplicate: res.upsertedCount === 0 };
  }

  async list(status?: QuarantinedItem['status']): Promise<QuarantinedItem[]> {
    const docs = await this.m.Quarantine.find(status ? { status } : {}).sort({ createdAt: -1 }).lean();
    return docs.map(toItem);
  }

  async byId(id: string): Promise<QuarantinedItem | null> {
    const doc = await this.m.Quarantine.findById(String(id)).lean();
    return doc ? toItem(doc) : null;
  }

  async recordRetry(id: string, result: { released: boolean; ticketNumber?: number; error?: string }, at: Date): Promise<void> {
    await this.m.Quarantine.updateOne({ _id: String(id) }, {
      $inc: { attempts: 1 },
      $set: {
        status: result.released ? 'released' : 'held', updatedAt: at,
        ...(result.ticketNumber !== undefined ? { ticketNumber: result.ticketNumber } : {}),
        ...(result.error ? { lastError: result.error } : {}),
      },
    });
  }
}

const toItem = (doc: object) => fromDoc<QuarantinedItem>(doc);

export class MongoSuppressionRepository implements SuppressionRepository {
  constructor(private readonly m: Models) {}

  /** One entry per address; a newer bounce extends it. */
  async suppress(entry: Suppression): Promise<void> {
    const { address, ...fields } = entry;
    await this.m.Suppression.updateOne({ _id: address.toLowerCase() }, { $set: fields }, { upsert: true });
  }

  async activeFor(address: string, at: Date): Promise<Suppression | null> {
    // The driver's read (once per acknowledgement): a mongoose query costs more CPU than the command.
    const doc = await this.m.Suppression.collection.findOne({ _id: address.toLowerCase() as never, until: { $gt: at } });
    return doc ? toSuppression(doc) : null;
  }

  async listActive(at: Date): Promise<Suppression[]> {
    const docs = await this.m.Suppression.find({ until: { $gt: at } }).sort({ since: -1 }).lean();
    return docs.map(toSuppression);
  }
}

const toSuppression = (doc: object) => fromDoc<Suppression>(doc, 'address');
