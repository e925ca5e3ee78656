/**
 * Housekeeping deletes what is never read again, so the collections stay as small as the recent
 * work: acknowledgement counters of windows that have ended, and send-attempt claims older than a
 * day. Counters of running windows and recent claims stay (they still decide limits and claims).
 */
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';

const HOUR = 3_600_000;

describe('housekeeping of expired counters and claims', () => {
  let conn: Connection;
  let core: Awaited<ReturnType<typeof buildCore>>;
  let now = new Date('2026-03-02T10:30:00Z');

  beforeAll(async () => {
    const dbName = testDbName('housekeeping');
    conn = await mongoose.createConnection(mongoUri(), { dbName, autoIndex: false, bufferCommands: false }).asPromise();
    core = await buildCore(testConfig({ database: { dbName }, sla: { enabled: false } }), conn, createLogger('silent'), undefined, [], { now: () => now });
  });

  afterAll(async () => {
    await conn?.dropDatabase().catch(() => {});
    await conn?.close();
  });

  const ids = async (name: string) => (await conn.collection(name).find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).sort();

  it('deletes counters of ended windows and claims older than a day, and keeps the rest', async () => {
    const hourStart = Date.parse('2026-03-02T10:00:00Z');
    await conn.collection('ack_counts').insertMany([
      { _id: `address:ann@example.org:${hourStart - HOUR}`, n: 3, windowEndsAt: new Date(hourStart) },
      { _id: `domain:example.org:${hourStart - 24 * HOUR}`, n: 20, windowEndsAt: new Date(hourStart - 23 * HOUR) },
      { _id: `address:ann@example.org:${hourStart}`, n: 1, windowEndsAt: new Date(hourStart + HOUR) },
      { _id: `all:gateway:${hourStart}`, n: 7, windowEndsAt: new Date(hourStart + HOUR) },
    ] as never[]);
    await conn.collection('outbox_claims').insertMany([
      { _id: 'ack:tk_old#1', at: new Date(now.getTime() - 49 * HOUR) },
      { _id: 'ack:tk_new#1', at: new Date(now.getTime() - 60_000) },
      { _id: 'ack:tk_new#2', at: new Date(now.getTime() - 23 * HOUR) },
    ] as never[]);

    expect(await core.housekeeping.runDue()).toEqual({ ack_counts: 2, outbox_claims: 1 });
    expect(await ids('ack_counts')).toEqual([`address:ann@example.org:${hourStart}`, `all:gateway:${hourStart}`]);
    expect(await ids('outbox_claims')).toEqual(['ack:tk_new#1', 'ack:tk_new#2']);
    // A pass with nothing expired deletes nothing.
    expect(await core.housekeeping.runDue()).toEqual({ ack_counts: 0, outbox_claims: 0 });

    // An hour and a day later the rest has expired too.
    now = new Date(now.getTime() + 25 * HOUR);
    expect(await core.housekeeping.runDue()).toEqual({ ack_counts: 2, outbox_claims: 2 });
    expect(await ids('ack_counts')).toEqual([]);
    expect(await ids('outbox_claims')).toEqual([]);
  });

  it('deletes a backlog larger than one batch in one pass', async () => {
    const ended = new Date(now.getTime() - HOUR);
    await conn.collection('ack_counts').insertMany(Array.from({ length: 1203 }, (_, i) => ({ _id: `address:c${i}@example.org:0`, n: 1, windowEndsAt: ended })) as never[]);
    expect((await core.housekeeping.runDue()).ack_counts).toBe(1203);
    expect(await conn.collection('ack_counts').countDocuments({})).toBe(0);
  });
});
