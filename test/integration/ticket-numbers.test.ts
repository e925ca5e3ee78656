/**
 * Ticket numbers under concurrency (issue 12, "a defect under load"): FerretDB 1.x lost a `$inc` in
 * findAndModify and handed one number to two ingests. Numbers are now claimed by a unique insert
 * (`ticket_numbers`, `_id` = the number): every mail becomes its own ticket with its own number,
 * also with two gateways at once, and numbering continues above tickets numbered before claims.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { TicketNumberAllocator } from '../../src/infra/mongo/ticket-number.allocator.ts';
import { testConfig } from '../support/config.ts';
import { openTestDb } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('ticket numbers', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let core: Awaited<ReturnType<typeof buildCore>>;
  /** Another gateway on the same database: its own process state (number hint), same data. */
  const gateway = () => buildCore(testConfig({ database: { dbName: db.dbName } }), db.conn, createLogger('silent'));
  const intake = async (c: typeof core, raw: Buffer) => c.channels.email.intake(raw, 'test', c.ingest);
  beforeAll(async () => {
    db = await openTestDb('numbers');
    core = await gateway();
  });
  afterAll(() => db?.drop());

  const mail = (i: number, tag: string) => buildMail({ messageId: `<${tag}-${i}@example.org>`, from: `c${tag}${i}@example.org`, subject: `Problem ${tag} ${i}`, text: `Mail ${i}` });

  it('two processes drawing at once never share a number', async () => {
    const a = new TicketNumberAllocator(core.models);
    const b = new TicketNumberAllocator(core.models);
    const drawn: number[] = [];
    for (let round = 0; round < 5; round++) {
      drawn.push(...await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).next(`t-${round}-${i}`))));
    }
    expect(new Set(drawn).size).toBe(drawn.length);
    expect(drawn.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
    // Each number's claim names the ticket it was drawn for.
    const claims = await core.models.TicketNumber.find({}).lean();
    expect(claims).toHaveLength(drawn.length);
    await core.models.TicketNumber.deleteMany({});
    await core.models.Counter.deleteMany({});
  });

  it('a new process continues above tickets numbered before claims, and finds those by number', async () => {
    const first = await intake(core, await mail(1, 'old'));
    expect(first).toMatchObject({ outcome: 'created', ticketNumber: 1 });
    // What an older version leaves behind: a ticket without a claim, and a counter that lost an increment.
    await core.models.TicketNumber.deleteMany({});
    await core.models.Counter.updateOne({ _id: 'ticket' }, { $set: { seq: 0 } }, { upsert: true });
    const next = await gateway();
    const second = await intake(next, await mail(2, 'old'));
    expect(second).toMatchObject({ outcome: 'created' });
    expect(second.ticketNumber).toBeGreaterThan(1);
    expect(await core.models.Ticket.countDocuments()).toBe(2);
    expect((await next.repos.tickets.byNumber(1))?.id).toBe(first.ticketId);
    expect((await next.repos.tickets.byNumber(second.ticketNumber!))?.id).toBe(second.ticketId);
    // A reply by subject tag from the first ticket's customer threads onto it.
    const reply = await intake(next, await buildMail({ messageId: '<old-1-re@example.org>', from: 'cold1@example.org', subject: 'Re: [#1] Problem old 1', text: 'Again' }));
    expect(reply).toMatchObject({ outcome: 'appended', ticketNumber: 1 });
  });

  it('concurrent ingests on two gateways each get a ticket with its own number', async () => {
    const other = await gateway();
    const raws = await Promise.all(Array.from({ length: 16 }, (_, i) => mail(i, 'par')));
    const results = await Promise.all(raws.map((raw, i) => intake(i % 2 ? core : other, raw)));
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    const numbers = results.map((r) => r.ticketNumber!);
    expect(new Set(numbers).size).toBe(16);
    const stored = await core.models.Ticket.find({}, { number: 1 }).lean();
    expect(stored).toHaveLength(18);
    expect(new Set(stored.map((d) => d.number)).size).toBe(18);
    // Every ticket has its message, and its number finds it.
    for (const ticket of stored) {
      expect(await core.models.Message.countDocuments({ ticketId: ticket._id, direction: 'inbound', opensTicket: true })).toBe(1);
      expect((await core.repos.tickets.byNumber(ticket.number))?.id).toBe(ticket._id);
    }
  });
});
