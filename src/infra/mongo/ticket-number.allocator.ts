/**
 * Draws ticket numbers from the `counters` collection. `$inc` in findAndModify is not atomic on
 * every server (FerretDB 1.24 has been seen to hand the same number to two concurrent callers), so
 * the unique index on `tickets.number` is the real guard: a caller that loses the race on a number
 * asks for a fresh one. When the counter has fallen behind the stored numbers (a lost `$inc`),
 * it is first moved up to the highest number in use, so the retry does not walk through every
 * taken number one by one. Numbers stay gapless except when a process dies between drawing a
 * number and storing its ticket.
 */
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

export class TicketNumberAllocator {
  constructor(private readonly m: Models) {}

  async next(): Promise<number> {
    try {
      return await this.draw();
    } catch (err) {
      // Two first tickets at once (e.g. two gateways on a new database) both upsert the missing
      // counter; the loser gets a duplicate key on `counters`. The counter exists now: draw again.
      if (!isDuplicateKey(err)) throw err;
      return this.draw();
    }
  }

  private async draw(): Promise<number> {
    const doc = await this.m.Counter.findOneAndUpdate(
      { _id: 'ticket' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' },
    ).lean();
    return doc!.seq!;
  }

  /** Called after a number clash: lifts the counter to the highest stored number (never down). */
  async catchUp(): Promise<void> {
    const top = await this.m.Ticket.findOne({}, { number: 1 }).sort({ number: -1 }).lean();
    const highest = top?.number ?? 0;
    await this.m.Counter.updateOne({ _id: 'ticket', seq: { $lt: highest } }, { $set: { seq: highest } });
  }
}
