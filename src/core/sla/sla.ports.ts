/**
 * Where SLA clocks, timers and firings are kept (src/infra/mongo/sla.repository.ts). Timers are
 * documents with due times, never in-memory timeouts, so they survive restarts; a firing is claimed
 * by a unique insert of `<ticket>:<timer>:<dueAt>`, so across several gateway processes exactly one
 * of them fires a timer for a given due time.
 */
import type { SlaClock, SlaTimer } from './sla-clock.ts';

export interface SlaStore {
  clock(ticketId: string): Promise<SlaClock | null>;
  /** Writes the whole clock (by ticket id) and its timers' due times together, in one round trip. */
  save(clock: SlaClock, timers: SlaTimer[]): Promise<void>;
  /** Writes each timer's due time (by timer id); a null due time disarms it. */
  saveTimers(timers: SlaTimer[]): Promise<void>;
  timersOf(ticketId: string): Promise<SlaTimer[]>;
  /**
   * Armed timers due at or before `now`, soonest first. Reads only tickets whose clock runs or
   * stopped recently (clocks stopped longer are retired by the same pass), not every ticket ever.
   */
  dueTimers(now: Date, limit: number): Promise<SlaTimer[]>;
  /** Inserts the firing; false when it exists (another process fires it, or fired it). */
  claimFiring(id: string, ticketId: string, at: Date): Promise<boolean>;
  /** Disarms the timer unless it was re-armed for another due time meanwhile. */
  disarm(timerId: string, firedDueAt: Date): Promise<void>;
}
