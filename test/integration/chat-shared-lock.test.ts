/**
 * The lock that keeps one writer per conversation across gateway processes (two Redis clients
 * stand for two processes): tasks on one key never overlap and run one after another; other keys
 * are not held up; a failing task releases the lock.
 */
import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisTaskLock } from '../../channels/chat/shared-lock.ts';
import { skipUnless } from '../support/skip.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redisUp = await new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port: 6379 }, () => { socket.end(); resolve(true); });
  socket.on('error', () => resolve(false));
});

describe.skipIf(skipUnless(redisUp, 'Redis on 127.0.0.1:6379', 'chat-shared-lock'))('chat lock across processes (Redis)', () => {
  const clients = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
  const prefix = `helpdesk-test-${randomUUID()}`;
  const [one, two] = clients.map((c) => new RedisTaskLock(c, prefix)) as [RedisTaskLock, RedisTaskLock];
  afterAll(async () => { await Promise.all(clients.map((c) => c.quit())); });

  it('never lets two processes run tasks for one conversation at the same time', async () => {
    let inside = 0;
    let most = 0;
    const order: string[] = [];
    const task = (name: string) => async () => {
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 20));
      order.push(name);
      inside -= 1;
      return name;
    };
    const runs = Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).run('conversation-a', task(`t${i}`)));
    expect((await Promise.all(runs)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`).sort());
    expect(most).toBe(1);
    expect(order).toHaveLength(10);
  });

  it('does not hold up other conversations, and a failed task frees its conversation', async () => {
    let release!: () => void;
    const held = one.run('conversation-b', () => new Promise<void>((r) => { release = r; }));
    await new Promise((r) => setTimeout(r, 50));
    // Another conversation goes ahead while conversation-b is held by the other process.
    await expect(two.run('conversation-c', async () => 'c')).resolves.toBe('c');
    release();
    await held;
    await expect(one.run('conversation-b', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(two.run('conversation-b', async () => 'after')).resolves.toBe('after');
    expect(await clients[0]!.keys(`${prefix}:*`)).toEqual([]);
  });
});
