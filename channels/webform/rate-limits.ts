/**
 * Per-IP and per-address submission limits (rate-limiter-flexible). With a Redis URL the counts
 * live in Redis, so every gateway process shares them; while Redis is unreachable, each process
 * falls back to counting in its own memory (the insurance limiter) rather than letting everyone in
 * or turning everyone away. Without Redis the counts are in this process's memory.
 *
 * Only new submissions spend the limits: a retry of an accepted one (same submission id, same
 * content) gets its points back, and while a window is used up it is recognized by a note of the
 * accepted submission kept in the same store for the longest window (so both live and expire together).
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { WebformRejection } from './webform.errors.ts';
import type { WebformChannelConfig } from './webform.settings.ts';

export type LimitKind = 'ip' | 'address';

const KEY_MAX = 300;

export class SubmissionLimits {
  private readonly redis: Redis | undefined;
  private readonly limiters: Record<LimitKind, RateLimiterAbstract>;
  /** Notes of accepted submissions (a count that never limits anything: only its presence is read). */
  private readonly accepted: RateLimiterAbstract;

  constructor(config: WebformChannelConfig['rateLimit'], redisUrl: string | undefined) {
    const prefix = config.keyPrefix;
    const make = (kind: LimitKind | 'accepted', points: number, duration: number): RateLimiterAbstract => {
      const keyPrefix = `${prefix}:${kind}`;
      const memory = new RateLimiterMemory({ points, duration, keyPrefix });
      if (!this.redis) return memory;
      return new RateLimiterRedis({ storeClient: this.redis, points, duration, keyPrefix, rejectIfRedisNotReady: true, insuranceLimiter: memory });
    };
    this.redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true }) : undefined;
    // An unreachable Redis is reported by the limiter falling back, not by an unhandled event.
    this.redis?.on('error', () => {});
    this.limiters = {
      ip: make('ip', config.perIpLimit, config.perIpWindowSec),
      address: make('address', config.perAddressLimit, config.perAddressWindowSec),
    };
    this.accepted = make('accepted', Number.MAX_SAFE_INTEGER, Math.max(config.perIpWindowSec, config.perAddressWindowSec));
  }

  /**
   * Connects to Redis, waiting at most `timeoutMs`: the first submissions are then counted across
   * processes too. An unreachable Redis does not stop the start (ioredis keeps reconnecting; the
   * memory fallback counts meanwhile).
   */
  async connect(timeoutMs = 5000): Promise<void> {
    if (!this.redis || this.redis.status !== 'wait') return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.redis.connect().catch(() => {}),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
    ]);
    clearTimeout(timer);
  }

  /** Counts one submission for the key; throws a 429 rejection when the window is used up. */
  async consume(kind: LimitKind, key: string): Promise<void> {
    try {
      await this.limiters[kind].consume(key.slice(0, KEY_MAX));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new WebformRejection(429, 'rate_limited', { minutes: Math.max(1, Math.ceil(seconds / 60)), limit: kind }, seconds);
    }
  }

  /** Gives back the point `consume` took: the request repeated a submission already accepted. */
  async refund(kind: LimitKind, key: string): Promise<void> {
    // A refund that cannot be stored only leaves the limit a little stricter.
    await this.limiters[kind].reward(key.slice(0, KEY_MAX)).catch(() => {});
  }

  /** Notes an accepted submission under each of `keys` (e.g. its id, and its id with its content). */
  async remember(keys: string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.accepted.penalty(k.slice(0, KEY_MAX)).catch(() => {})));
  }

  /** Whether a submission was noted as accepted under `key` within the longest window. */
  async wasAccepted(key: string): Promise<boolean> {
    const res = await this.accepted.get(key.slice(0, KEY_MAX)).catch(() => null);
    return Boolean(res && res.consumedPoints > 0);
  }

  async close(): Promise<void> {
    if (this.redis) this.redis.disconnect();
  }
}
