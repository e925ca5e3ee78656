/**
 * Ticket numbers under concurrency (issue 12, "a defect under load"): a server may hand the same
 * counter value to two ingests (FerretDB lost a `$inc` in findAndModify). Every mail must still
 * become its own ticket, with distinct numbers and no gaps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMail } from '../support/mail-builder.ts';
import { openTestCore } from '../support/core.ts';
import { TicketNumberAllocator } from '../../src/infra/mongo/ticket-number.allocator.ts';

describe('ticket numbers', () => {
  let t: Awaited<ReturnType<typeof openTestCore>>;
  beforeAll(async () => {
    t = await openTestCore('numbers');
  });
  afterAll(() => t.drop());

  const mail = (i: number, tag: string) => buildMail({ messageId: `<${tag}-${i}@example.org>`, from: `c${tag}${i}@example.org`, subject: `Problem ${tag} ${i}`, text: `Mail ${i}` });

  it('draws numbers when several callers find no counter document yet (the first tickets of a new database)', async () => {
    const numbers = new TicketNumberAllocator(t.core.models);
    for (let round = 0; round < 20; round++) {
      // Concurrent upserts of the missing counter: the losers see a duplicate key on `counters`.
      await t.core.models.Counter.deleteMany({});
      const drawn = await Promise.all(Array.from({ length: 8 }, () => numbers.next()));
      expect(drawn.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
    }
    await t.core.models.Counter.deleteMany({});
  });

  it('a number handed out twice (a lost $inc) is drawn again instead of failing the ingest', async () => {
    const first = await t.intake(await mail(1, 'lost'));
    expect(first).toMatchObject({ outcome: 'created', ticketNumber: 1 });
    // What a lost increment leaves behind: the counter behind the numbers in use.
    await t.core.models.Counter.updateOne({ _id: 'ticket' }, { $set: { seq: 0 } });
    const second = await t.intake(await mail(2, 'lost'));
    expect(second).toMatchObject({ outcome: 'created', ticketNumber: 2 });
    expect(await t.core.models.Ticket.countDocuments()).toBe(2);
  });

  it('concurrent ingests each get a ticket with its own number, gapless', async () => {
    const raws = await Promise.all(Array.from({ length: 16 }, (_, i) => mail(i, 'par')));
    const results = await Promise.all(raws.map((raw) => t.intake(raw)));
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    const numbers = results.map((r) => r.ticketNumber!).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 16 }, (_, i) => i + 3));
    const stored = await t.core.models.Ticket.find({}, { number: 1 }).lean();
    expect(new Set(stored.map((d) => d.number)).size).toBe(18);
    // Every ticket has its message.
    for (const ticket of stored) expect(await t.core.models.Message.countDocuments({ ticketId: ticket._id, direction: 'inbound' })).toBe(1);
  });
});
