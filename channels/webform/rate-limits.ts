/**
 * Per-IP and per-address submission limits (rate-limiter-flexible). With a Redis URL the counts
 * live in Redis, so every gateway process shares them; while Redis is unreachable, each process
 * falls back to counting in its own memory (the insurance limiter) rather than letting everyone in
 * or turning everyone away. Without Redis the counts are in this process's memory.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { WebformRejection } from './webform.errors.ts';
import type { WebformChannelConfig } from './webform.settings.ts';

export type LimitKind = 'ip' | 'address';

export class SubmissionLimits {
  private readonly redis: Redis | undefined;
  private readonly limiters: Record<LimitKind, RateLimiterAbstract>;

  constructor(config: WebformChannelConfig['rateLimit'], redisUrl: string | undefined) {
    const prefix = config.keyPrefix;
    const make = (kind: LimitKind, points: number, duration: number): RateLimiterAbstract => {
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
      await this.limiters[kind].consume(key.slice(0, 300));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new WebformRejection(429, 'rate_limited', { minutes: Math.max(1, Math.ceil(seconds / 60)), limit: kind }, seconds);
    }
  }

  async close(): Promise<void> {
    if (this.redis) this.redis.disconnect();
  }
}
