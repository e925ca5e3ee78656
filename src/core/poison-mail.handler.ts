/**
 * One mail must never block a channel. When an ingest fails and the store is reachable, the
 * failure is counted durably under the message's idempotency key (so the count survives
 * restarts). A failure that is not a database outage quarantines the message at once; a transient
 * one does so when it happened the same way `maxAttempts` times. Either way the ingest then
 * answers `quarantined` and the channel moves on (IMAP checkpoints, LMTP 250, pipe 0). A database
 * outage is never counted (the channel just retries), nor is anything when even the count cannot be
 * written.
 */
import { isStoreUnavailable, TransientError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { BlobInfo, Clock, Repositories } from './ports.ts';
import type { InboundMessage, IngestResult } from './types.ts';

export interface PoisonSettings {
  maxAttempts: number;
}

/** "The same way": the error's class and code, not its text (which may carry ids and timings). */
function signature(err: unknown): string {
  const e = err as { name?: string; code?: unknown; cause?: { name?: string; code?: unknown } };
  return [e?.name ?? typeof err, e?.code ?? '', e?.cause?.name ?? '', e?.cause?.code ?? ''].join(':');
}

const describe = (err: unknown) => `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`.slice(0, 500);

function sourceOf(message: InboundMessage): string {
  return message.source ?? `ingest:${message.channel}`;
}

export class PoisonMailHandler {
  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: PoisonSettings,
  ) {}

  /** Decides after a failed ingest: throw a retry signal, or quarantine and return `quarantined`. */
  async handle(message: InboundMessage, err: unknown, transient: boolean): Promise<IngestResult> {
    // The database is away: retry later, and do not count it (the message did nothing wrong).
    if (isStoreUnavailable(err)) throw err instanceof TransientError ? err : new TransientError(describe(err), { cause: err });
    const key = `${message.channel}:${message.externalId}`;
    const error = describe(err);
    let attempts: number;
    try {
      attempts = await this.repos.attempts.recordFailure(key, signature(err), error, this.clock.now());
    } catch (recordErr) {
      // The store is away: nothing can be counted or kept, so the sender must try again.
      throw new TransientError(`store unavailable: ${(err as Error)?.message ?? err}`, { cause: recordErr });
    }
    const log = this.logger.child({ channel: message.channel, externalId: message.externalId });
    if (transient && attempts < this.settings.maxAttempts) {
      log.warn({ err: error, attempts }, 'ingest failed; the channel will retry');
      throw new TransientError(`ingest failed (attempt ${attempts} of ${this.settings.maxAttempts}): ${error}`, { cause: err });
    }
    const reason = transient ? `ingest failed ${attempts} times: ${error}` : `ingest failed: ${error}`;
    const q = await this.keep(message, reason);
    log.error({ err: error, attempts, quarantine: q.id }, 'ingest failed; message quarantined');
    return { outcome: 'quarantined', reason };
  }

  private async keep(message: InboundMessage, reason: string): Promise<{ id: string; duplicate: boolean }> {
    const { blobs, quarantine } = this.repos;
    const stored = message.rawBlobId ? await blobs.stat(message.rawBlobId) : null;
    // A channel without raw bytes (chat, form): keep the normalized message itself.
    const blob: BlobInfo = stored ?? await blobs.put(Buffer.from(JSON.stringify(message)), { filename: 'message.json', contentType: 'application/json' });
    return quarantine.add({ channel: message.channel, source: sourceOf(message), reason, rawBlobId: blob.id, checksum: blob.checksum, size: blob.size }, this.clock.now());
  }
}
