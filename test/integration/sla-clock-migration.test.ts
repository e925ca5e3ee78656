/**
 * SLA clocks moved from `sla_clocks` into `sla_timers` (one write for a clock and its timers). A
 * database written before keeps its clocks: the next start moves them over, the ticket's SLA shows
 * the same, and a customer's reply keeps the same clock running.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { openTestDb } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('SLA clocks stored before they moved into sla_timers', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  afterAll(() => db?.drop());

  it('are moved at start and keep counting', async () => {
    db = await openTestDb('sla_migrate');
    const config = testConfig({ database: { dbName: db.dbName } });
    const first = await buildCore(config, db.conn, createLogger('silent'));
    const opened = await first.channels.email.intake(await buildMail({ messageId: '<old-1@example.org>', from: 'old@example.org', subject: 'Old ticket' }), 'test', first.ingest);
    await first.sla.tracker.idle();
    const ticketId = opened.ticketId!;
    const before = await first.sla.tracker.view(ticketId);
    expect(before).toBeTruthy();

    // Put the clock back where an older version kept it: `sla_clocks`, `_id` = the ticket id.
    const timers = db.conn.db!.collection<Record<string, unknown>>('sla_timers');
    const clock: Record<string, unknown> = { ...(await timers.findOne({ _id: `${ticketId}:clock` as never }))! };
    delete clock._id;
    delete clock.kind;
    await timers.deleteOne({ _id: `${ticketId}:clock` as never });
    await db.conn.db!.collection('sla_clocks').insertOne({ _id: ticketId as never, ...clock });
    expect(await first.sla.tracker.view(ticketId)).toBeNull();

    const second = await buildCore(config, db.conn, createLogger('silent'));
    expect(await db.conn.db!.collection('sla_clocks').countDocuments()).toBe(0);
    const moved = await second.sla.tracker.view(ticketId);
    expect(moved).toMatchObject({ policy: before!.policy, paused: before!.paused, firstResponse: { dueAt: before!.firstResponse.dueAt }, resolution: { dueAt: before!.resolution.dueAt } });

    const reply = await second.channels.email.intake(await buildMail({
      messageId: '<old-2@example.org>', from: 'old@example.org', subject: `Re: [#${opened.ticketNumber}] Old ticket`,
      inReplyTo: '<old-1@example.org>', references: ['<old-1@example.org>'],
    }), 'test', second.ingest);
    expect(reply).toMatchObject({ outcome: 'appended', ticketNumber: opened.ticketNumber });
    await second.sla.tracker.idle();
    const after = await second.sla.tracker.view(ticketId);
    expect(after?.policy).toBe(before!.policy);
    expect(after?.firstResponse.dueAt).toEqual(before!.firstResponse.dueAt);
  });
});
