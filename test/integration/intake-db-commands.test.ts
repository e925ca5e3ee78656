/**
 * Round trips per mail: a plain new mail and a reply threaded onto its ticket, delivered to a real
 * core on the test server with the driver's command monitoring on. Every command the mail causes
 * counts, including the work it sets off after the ingest returns (the SLA clock, knowledge base
 * suggestions); the outbox sender's pass does not (the dispatcher is not started here).
 * Intake cost must not grow with what is stored, so every hot lookup is by `_id` (FerretDB 1.24
 * pushes down nothing else) and nothing is read back that the code already holds.
 */
import mongoose, { type Connection } from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

/**
 * Issue 12's target: at most 12 for a plain mail. The new mail here comes from a first-time sender,
 * the dearest case: its contact is created, and its acknowledgement counts against the per-address,
 * per-domain and gateway-wide limits (one bulk write for the three).
 */
const NEW_MAIL_BUDGET = 12;
const REPLY_BUDGET = 12;
// Commands that are the driver's own housekeeping, not the mail's.
const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'getMore', 'killCursors']);

/** The filters a command selects documents by (none for an insert). */
function filtersOf(event: CommandStartedEvent): Array<Record<string, unknown>> {
  const c = event.command;
  if (event.commandName === 'find') return [c.filter ?? {}];
  if (event.commandName === 'findAndModify') return [c.query ?? {}];
  if (event.commandName === 'update') return (c.updates ?? []).map((u: { q: Record<string, unknown> }) => u.q);
  if (event.commandName === 'delete') return (c.deletes ?? []).map((d: { q: Record<string, unknown> }) => d.q);
  if (['count', 'aggregate', 'distinct'].includes(event.commandName)) return [c.query ?? {}];
  return [];
}

/** `find tickets`, `update messages`…: what a command did and to which collection. */
function label(event: CommandStartedEvent): string {
  const target = event.command[event.commandName];
  return typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
}

describe('database commands per mail', () => {
  let conn: Connection;
  let core: Awaited<ReturnType<typeof buildCore>>;
  let counting: string[] | null = null;
  let notById: string[] = [];

  beforeAll(async () => {
    const dbName = testDbName('dbcommands');
    conn = await mongoose.createConnection(mongoUri(), { dbName, monitorCommands: true, autoIndex: false, bufferCommands: false }).asPromise();
    conn.getClient().on('commandStarted', (event: CommandStartedEvent) => {
      if (!counting || HOUSEKEEPING.has(event.commandName)) return;
      counting.push(label(event));
      // FerretDB 1.24 pushes down only `_id` equality: any other selection reads the whole collection.
      const scans = filtersOf(event).filter((f) => typeof f._id !== 'string' && typeof f._id !== 'number');
      if (scans.length) notById.push(`${label(event)} ${JSON.stringify(scans)}`);
    });
    core = await buildCore(testConfig({ database: { dbName } }), conn, createLogger('silent'));
  });

  afterAll(async () => {
    await core?.sla.tracker.idle();
    await conn?.dropDatabase().catch(() => {});
    await conn?.close();
  });

  /** Ingests one mail and returns the commands it caused, once its async follow-up work is done too. */
  async function commandsFor(raw: Buffer) {
    counting = [];
    notById = [];
    const result = await core.channels.email.intake(raw, 'test', core.ingest);
    await core.sla.tracker.idle();
    const seen = counting;
    counting = null;
    const breakdown: Record<string, number> = {};
    for (const c of seen) breakdown[c] = (breakdown[c] ?? 0) + 1;
    return { result, total: seen.length, breakdown, notById };
  }

  it(`a plain new mail costs at most ${NEW_MAIL_BUDGET} commands until its ticket and acknowledgement are stored`, async () => {
    // A first mail warms what is cached per process (intake rules, knowledge base index); the one measured is the next.
    await core.channels.email.intake(await buildMail({ messageId: '<warm@example.org>', from: 'warm@example.org' }), 'test', core.ingest);
    await core.sla.tracker.idle();
    const raw = await buildMail({ messageId: '<plain-1@example.org>', from: 'Ana <ana@example.org>', subject: 'Printer jammed', text: 'The printer on floor 2 is jammed.' });
    const { result, total, breakdown, notById } = await commandsFor(raw);
    console.log(`plain new mail: ${total} commands`, breakdown);
    expect(result).toMatchObject({ outcome: 'created' });
    const ticket = await core.repos.tickets.byId(result.ticketId!);
    expect(ticket?.number).toBe(result.ticketNumber);
    expect(await core.repos.outbox.byId(`ack:${result.ticketId}`)).toBeTruthy();
    expect(total).toBeLessThanOrEqual(NEW_MAIL_BUDGET);
    expect(notById).toEqual([]);
  });

  it(`a reply threaded onto its ticket costs at most ${REPLY_BUDGET} commands`, async () => {
    const first = await core.channels.email.intake(
      await buildMail({ messageId: '<thread-1@example.org>', from: 'budi@example.org', subject: 'VPN down', text: 'No VPN since morning.' }), 'test', core.ingest,
    );
    await core.sla.tracker.idle();
    const reply = await buildMail({
      messageId: '<thread-2@example.org>', from: 'budi@example.org', subject: `Re: [#${first.ticketNumber}] VPN down`, text: 'Still down.',
      inReplyTo: '<thread-1@example.org>', references: ['<thread-1@example.org>'],
    });
    const { result, total, breakdown, notById } = await commandsFor(reply);
    console.log(`threaded reply: ${total} commands`, breakdown);
    expect(result).toMatchObject({ outcome: 'appended', ticketNumber: first.ticketNumber });
    expect(total).toBeLessThanOrEqual(REPLY_BUDGET);
    expect(notById).toEqual([]);
  });

  it('a reply to our acknowledgement (its Message-ID carries the reply token) finds its ticket by number through _id lookups', async () => {
    const first = await core.channels.email.intake(
      await buildMail({ messageId: '<ack-thread-1@example.org>', from: 'citra@example.org', subject: 'Wifi slow', text: 'Slow wifi.' }), 'test', core.ingest,
    );
    await core.sla.tracker.idle();
    const ack = await core.repos.outbox.byId(`ack:${first.ticketId}`);
    const ackId = (ack as { messageId: string }).messageId;
    const reply = await buildMail({
      messageId: '<ack-thread-2@example.org>', from: 'citra@example.org', subject: 'Re: Wifi slow', text: 'Thanks, still slow.',
      inReplyTo: ackId, references: [ackId],
    });
    const { result, total, breakdown, notById } = await commandsFor(reply);
    console.log(`reply to the acknowledgement: ${total} commands`, breakdown);
    expect(result).toMatchObject({ outcome: 'appended', ticketNumber: first.ticketNumber });
    expect(total).toBeLessThanOrEqual(REPLY_BUDGET);
    expect(notById).toEqual([]);
  });
});
