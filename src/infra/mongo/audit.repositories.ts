/** Small append-once collections: audit events, acknowledgement history, quarantine. */
import { agentFanoutWanted } from '../../core/index.ts';
import type {
  AckLogRepository, AckScope, AuditEvent, EventRepository, QuarantinedItem, QuarantineRecord, QuarantineRepository, Suppression,
  SuppressionRepository,
} from '../../core/index.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import { fromDoc } from './doc-mapper.ts';
import type { Models } from './models.ts';

export class MongoEventRepository implements EventRepository {
  constructor(private readonly m: Models) {}

  async record(e: AuditEvent): Promise<void> {
    const { id, ...fields } = e;
    // The pending mark rides on the insert itself: no second write for the caller.
    const pending = agentFanoutWanted(e.type) ? { fanout: 'pending' } : {};
    await this.m.TicketEvent.updateOne({ _id: id }, { $setOnInsert: { ...fields, ...pending } }, { upsert: true });
  }

  async pendingFanout(limit: number): Promise<AuditEvent[]> {
    const docs = await this.m.TicketEvent.find({ fanout: 'pending' }).sort({ at: 1, _id: 1 }).limit(limit).lean();
    return docs.map((doc) => fromDoc<AuditEvent & { fanout?: string }>(doc)).map(({ fanout: _, ...event }) => event);
  }

  async fanoutDone(id: string): Promise<void> {
    await this.m.TicketEvent.updateOne({ _id: String(id) }, { $unset: { fanout: 1 } });
  }
}

export class MongoAckLogRepository implements AckLogRepository {
  constructor(private readonly m: Models) {}

  async count(scope: AckScope, key: string, windowMs: number, at: Date): Promise<number> {
    const start = Math.floor(at.getTime() / windowMs) * windowMs;
    const _id = `${scope}:${key.toLowerCase()}:${start}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const doc = await this.m.AckCount.findOneAndUpdate(
          { _id }, { $inc: { n: 1 }, $setOnInsert: { windowEndsAt: new Date(start + windowMs) } }, { upsert: true, returnDocument: 'after' },
        ).lean<{ n: number }>();
        return doc!.n;
      } catch (err) {
        // Two first counts of a window at once: the loser's upsert hits the winner's `_id`. Count again.
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
      }
    }
  }
}

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
    const doc = await this.m.Suppression.findOne({ _id: address.toLowerCase(), until: { $gt: at } }).lean();
    return doc ? toSuppression(doc) : null;
  }

  async listActive(at: Date): Promise<Suppression[]> {
    const docs = await this.m.Suppression.find({ until: { $gt: at } }).sort({ since: -1 }).lean();
    return docs.map(toSuppression);
  }
}

const toSuppression = (doc: object) => fromDoc<Suppression>(doc, 'address');
