/**
 * Login throttling with rate-limiter-flexible: failed logins per key within a window. With a Redis
 * URL the counts live in Redis, so every gateway process sees the same ones (and a restart does
 * not reset them); while Redis is unreachable an in-memory limiter stands in rather than letting
 * every attempt through. Without a URL the counts are per process.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger, LoginThrottle } from '../../core/index.ts';

/** How long the first use waits for Redis to connect before counting in memory. */
const CONNECT_WAIT_MS = 2_000;

export interface LoginThrottleSettings {
  maxFailures: number;
  windowMs: number;
  redisUrl?: string | undefined;
}

export function createLoginThrottle(settings: LoginThrottleSettings, logger: Logger): LoginThrottle {
  const options = { keyPrefix: 'helpdesk-login', points: settings.maxFailures, duration: Math.ceil(settings.windowMs / 1000) };
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract;
  let connected: Promise<void> = Promise.resolve();
  if (settings.redisUrl) {
    redis = new Redis(settings.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'login throttle: redis unavailable, counting in memory'));
    limiter = new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) });
    // Without an offline queue a command before the connection is up fails over to memory; wait
    // for the first connection a little (a Redis that is down is not waited for again).
    const client = redis;
    connected = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_WAIT_MS);
      timer.unref();
      client.once('ready', () => { clearTimeout(timer); resolve(); });
    });
  } else {
    limiter = new RateLimiterMemory(options);
  }
  return {
    async blockedFor(key) {
      await connected;
      const res = await limiter.get(key);
      return res && res.consumedPoints >= settings.maxFailures ? Math.max(1, res.msBeforeNext) : 0;
    },
    async recordFailure(key) {
      await connected;
      try {
        await limiter.consume(key);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err; // over the limit: blockedFor says so next time
      }
    },
    async reset(key) {
      await connected;
      await limiter.delete(key);
    },
    async close() {
      redis?.disconnect();
    },
  };
}
