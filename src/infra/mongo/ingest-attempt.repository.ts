import type { IngestAttemptRepository } from '../../core/index.ts';
import type { Models } from './models.ts';

/**
 * ingest_attempts: one document per idempotency key (`channel:externalId`) that failed to ingest,
 * counting failures in a row with the same error signature. A different signature starts again at 1.
 */
export class MongoIngestAttemptRepository implements IngestAttemptRepository {
  constructor(private readonly m: Models) {}

  async recordFailure(key: string, signature: string, error: string, at: Date): Promise<number> {
    const same = await this.m.IngestAttempt.findOneAndUpdate(
      { _id: key, signature },
      { $inc: { attempts: 1 }, $set: { lastError: error, updatedAt: at } },
      { returnDocument: 'after' },
    ).lean();
    if (same) return same.attempts ?? 1;
    await this.m.IngestAttempt.updateOne(
      { _id: key },
      { $set: { signature, attempts: 1, lastError: error, updatedAt: at } },
      { upsert: true },
    );
    return 1;
  }
}
