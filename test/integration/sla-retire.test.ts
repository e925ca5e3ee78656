/**
 * The SLA due scan reads `sla_timers` whole, so that collection holds only the tickets whose clock
 * runs or stopped a short while ago: the scheduler's pass moves a clock stopped for ten minutes
 * (all its timers disarmed) to `sla_clocks_stopped` and deletes its timers. The ticket's SLA is
 * still shown, a reply restarts its clock where it stopped, a crash between the copy and the
 * delete is finished by the next pass, and tickets stored before (every ticket's documents in
 * `sla_timers`) are retired the same way.
 */
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/index.ts';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

const MINUTE = 60_000;

class FakeClock implements Clock {
  constructor(public at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
}

describe('SLA clocks of stopped tickets leave the scanned collection', () => {
  const clock = new FakeClock(new Date('2026-12-02T03:00:00Z')); // a Wednesday, 10:00 in Jakarta
  let conn: Connection;
  let core: Awaited<ReturnType<typeof buildCore>>;
  const agent = { id: 'agent:a1', name: 'A1' };
  let seq = 0;

  beforeAll(async () => {
    const dbName = testDbName('slaretire');
    conn = await mongoose.createConnection(mongoUri(), { dbName, autoIndex: false, bufferCommands: false }).asPromise();
    core = await buildCore(testConfig({
      database: { dbName },
      sla: { warnAtPercent: 50, policies: [{ name: 'standard', priority: 'normal', firstResponseMinutes: 60, resolutionMinutes: 240 }] },
    }), conn, createLogger('silent'), undefined, [], clock);
  });

  afterAll(async () => {
    await conn?.dropDatabase().catch(() => {});
    await conn?.close();
  });

  const later = (minutes: number) => { clock.at = new Date(clock.at.getTime() + minutes * MINUTE); };
  const docsOf = async (ticketId: string) => (await conn.collection('sla_timers').find({ _id: { $regex: `^${ticketId}:` } } as never).toArray()).map((d) => String(d._id)).sort();
  const stopped = (ticketId: string) => conn.collection('sla_clocks_stopped').findOne({ _id: ticketId as never });
  const newTicket = async () => {
    seq++;
    const result = await core.channels.email.intake(await buildMail({ messageId: `<ret-${seq}@example.org>`, from: `Ann <ann${seq}@example.org>`, subject: `Case ${seq}` }), 'test', core.ingest);
    await core.sla.tracker.idle();
    return { id: result.ticketId!, number: result.ticketNumber! };
  };

  it('retires a resolved ticket\'s clock ten minutes after it stopped, still shows its SLA, and restarts it on a reply', async () => {
    const ticket = await newTicket();
    expect(await docsOf(ticket.id)).toHaveLength(5); // the clock and four timers
    later(30);
    await core.actions.setStatus(ticket.number, 'resolved', agent);
    await core.sla.tracker.idle();
    const shown = await core.sla.tracker.view(ticket.id);
    expect(shown).toMatchObject({ paused: true, resolution: { remainingMs: 210 * MINUTE } });

    later(5);
    await core.sla.scheduler.runDue();
    expect(await docsOf(ticket.id)).toHaveLength(5); // stopped only five minutes ago: it may resume soon
    later(6);
    await core.sla.scheduler.runDue();
    expect(await docsOf(ticket.id)).toEqual([]);
    expect(await stopped(ticket.id)).toMatchObject({ usedMs: 30 * MINUTE, runningSince: null });
    expect(await core.sla.tracker.view(ticket.id)).toEqual(shown);

    // The customer writes again: the ticket reopens and its clock runs on from 30 minutes used.
    await core.channels.email.intake(await buildMail({ messageId: `<ret-${seq}-2@example.org>`, from: `Ann <ann${seq}@example.org>`, subject: `Re: [#${ticket.number}] Case ${seq}`, inReplyTo: `<ret-${seq}@example.org>` }), 'test', core.ingest);
    await core.sla.tracker.idle();
    expect(await docsOf(ticket.id)).toHaveLength(5);
    const resumed = await core.sla.tracker.view(ticket.id);
    expect(resumed).toMatchObject({ paused: false, resolution: { remainingMs: 210 * MINUTE } });
    // ... and its timers fire again: 30 more minutes is the first-response breach (60 of 60 used).
    later(31);
    expect(await core.sla.scheduler.runDue()).toBeGreaterThan(0);
  });

  it('keeps an open ticket\'s clock and timers where the scan finds them', async () => {
    const ticket = await newTicket();
    later(120);
    await core.sla.scheduler.runDue();
    expect(await docsOf(ticket.id)).toHaveLength(5);
    expect(await stopped(ticket.id)).toBeNull();
  });

  it('finishes a retirement a crash cut short between the copy and the delete', async () => {
    const ticket = await newTicket();
    await core.actions.setStatus(ticket.number, 'resolved', agent);
    await core.sla.tracker.idle();
    const clockDoc = (await conn.collection('sla_timers').findOne({ _id: `${ticket.id}:clock` as never }))!;
    // The copy is there, the documents in sla_timers too.
    const { _id, ...fields } = clockDoc;
    await conn.collection('sla_clocks_stopped').insertOne({ _id: ticket.id as never, ...fields });
    expect(String(_id)).toBe(`${ticket.id}:clock`);
    later(11);
    await core.sla.scheduler.runDue();
    expect(await docsOf(ticket.id)).toEqual([]);
    expect(await core.sla.tracker.view(ticket.id)).toMatchObject({ paused: true });
  });
});
