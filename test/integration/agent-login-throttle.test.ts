/**
 * Login throttling shared through Redis: two gateway processes (two throttles on one Redis) count
 * the same failures, so a password guesser cannot spread tries across processes. Outside CI the
 * test is skipped loudly when no Redis answers on 127.0.0.1:6379.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginThrottle } from '../../src/core/index.ts';
import { createLoginThrottle } from '../../src/infra/auth/login-throttle.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { skipUnless } from '../support/skip.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redisUp = await new Promise<boolean>((resolve) => {
  const socket = createConnection(6379, '127.0.0.1', () => { socket.end(); resolve(true); });
  socket.once('error', () => resolve(false));
});

describe.skipIf(skipUnless(redisUp, 'Redis on 127.0.0.1:6379', 'agent-login-throttle'))('login throttle in Redis', () => {
  let one: LoginThrottle;
  let two: LoginThrottle;
  const key = `ana@example.org|127.0.0.${randomBytes(1)[0]}|${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    const settings = { maxFailures: 3, windowMs: 60_000, redisUrl: REDIS_URL };
    one = createLoginThrottle(settings, createLogger('silent'));
    two = createLoginThrottle(settings, createLogger('silent'));
  });
  afterAll(async () => {
    await one.reset(key);
    await one.close();
    await two.close();
  });

  it('counts failures from every process together, blocks past the limit, and a reset clears it everywhere', async () => {
    await one.recordFailure(key);
    await two.recordFailure(key);
    expect(await one.blockedFor(key)).toBe(0);
    await one.recordFailure(key);
    const wait = await two.blockedFor(key);
    expect(wait).toBeGreaterThan(50_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await one.blockedFor(`${key}-other`)).toBe(0);
    await two.reset(key);
    expect(await one.blockedFor(key)).toBe(0);
  });
});
