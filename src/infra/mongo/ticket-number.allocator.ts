/**
 * Ticket numbers by claims: a number is taken by inserting `{_id: number, ticketId}` into
 * `ticket_numbers`. A unique `_id` insert is atomic on every server, where `$inc` in findAndModify
 * is not on FerretDB 1.x (it handed one number to two ingests under load). One command per ticket,
 * as the counter was, and the claim is also how a number finds its ticket by `_id`.
 *
 * Each process keeps a hint of the next free number. A fresh process starts from the stored hint
 * (`counters`, `_id: 'ticket'`: the old counter, so numbering continues above the numbers drawn
 * from it); a taken number (another process claimed it, or the hint is old) sends it galloping
 * up by `_id` lookups (1, 2, 4, ... ahead, then halving) to the first free number, so a stale hint
 * costs a few lookups, not one insert per number in use. A process that found the stored hint far
 * behind moves it up, so the next fresh process (the pipe command) starts close.
 * Numbers stay gapless except when a process dies between claim and ticket, or a claim lands on a
 * number an old ticket holds without a claim (the ticket insert then fails on the unique
 * `tickets.number` and the caller draws again).
 */
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

/** A stored hint this far behind is moved up. */
const STALE_HINT = 8;

export class TicketNumberAllocator {
  private hint: number | null = null;
  private storedHint = 0;

  constructor(private readonly m: Models) {}

  /** Claims the next free number for the ticket and returns it. */
  async next(ticketId: string): Promise<number> {
    if (this.hint === null) await this.loadHint();
    for (;;) {
      const n = this.hint!;
      this.hint = n + 1;
      if (await this.claim(n, ticketId)) {
        if (n - this.storedHint >= STALE_HINT) await this.storeHint(n);
        return n;
      }
      // Taken: by another process, or the hint is behind. Find the first free number above it.
      this.hint = Math.max(this.hint, await this.firstFreeAbove(n));
    }
  }

  private async loadHint(): Promise<void> {
    const doc = await this.m.Counter.findById('ticket').lean<{ seq?: number }>();
    this.storedHint = doc?.seq ?? 0;
    this.hint ??= this.storedHint + 1;
  }

  private async claim(n: number, ticketId: string): Promise<boolean> {
    try {
      // The driver's insert: mongoose's `create` builds and validates a document first, per ticket.
      await this.m.TicketNumber.collection.insertOne({ _id: n as never, ticketId });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  private async taken(n: number): Promise<boolean> {
    return Boolean(await this.m.TicketNumber.findById(n, { _id: 1 }).lean());
  }

  /** `taken` is claimed; gallop up to a free number, then halve the gap down to the first free one. */
  private async firstFreeAbove(taken: number): Promise<number> {
    let low = taken;
    let step = 1;
    while (await this.taken(low + step)) {
      low += step;
      step *= 2;
    }
    let high = low + step;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await this.taken(mid)) low = mid;
      else high = mid;
    }
    return high;
  }

  /** Moves the stored hint up to `n` (never down); a concurrent first hint may win the upsert. */
  private async storeHint(n: number): Promise<void> {
    try {
      await this.m.Counter.updateOne({ _id: 'ticket', seq: { $lt: n } }, { $set: { seq: n } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // it is at n or above already
    }
    this.storedHint = n;
  }
}
