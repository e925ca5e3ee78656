/**
 * Runs tasks one at a time per key across every gateway process sharing Redis. Within a process
 * the KeyedLock queues tasks; across processes a Redis key (SET NX PX) admits one holder at a time.
 * Without it two processes could store the same agent reply as two lines at once (the loser's line
 * is withdrawn, but a visitor's pump may read it first) and number one conversation's lines out of
 * order. The lease expires by itself, so a killed holder blocks the conversation for at most
 * LEASE_MS; the database's unique ids stay the record of what was stored.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { KeyedLock } from './keyed-lock.ts';

const LEASE_MS = 30_000;
const WAIT_MS = 20_000;
const POLL_MS = 15;
// Delete the key only while it still holds our token (a lease that expired may belong to another).
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export interface TaskLock {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export class RedisTaskLock implements TaskLock {
  private readonly local = new KeyedLock();

  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const redisKey = `${this.prefix}:lock:${key}`;
      const token = randomUUID();
      await this.acquire(redisKey, token);
      try {
        return await task();
      } finally {
        await this.redis.eval(RELEASE, 1, redisKey, token).catch(() => {});
      }
    });
  }

  private async acquire(redisKey: string, token: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if ((await this.redis.set(redisKey, token, 'PX', LEASE_MS, 'NX')) === 'OK') return;
      if (Date.now() > deadline) throw new Error(`chat lock ${redisKey} not acquired within ${WAIT_MS} ms`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
