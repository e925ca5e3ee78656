/**
 * A ticket's SLA clock and the timers derived from it. The clock runs while the ticket is new or
 * open and stops while it is pending (waiting on the customer), resolved or closed; business time
 * used so far is kept, so a resumed clock continues where it stopped. Both targets (first response,
 * resolution) share the clock; each is met, warned and breached once.
 */
import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from './business-calendar.ts';
import type { Ticket } from '../types.ts';

export const SLA_TARGETS = ['firstResponse', 'resolution'] as const;
export type SlaTarget = (typeof SLA_TARGETS)[number];
export type SlaTimerKind = `${SlaTarget}-warning` | `${SlaTarget}-breach`;

export interface SlaTargetState {
  /** Business milliseconds allowed. */
  targetMs: number;
  /** When it was met (first public agent reply; resolved or closed). */
  metAt?: Date | undefined;
  warnedAt?: Date | undefined;
  breachedAt?: Date | undefined;
}

export interface SlaClock {
  ticketId: string;
  ticketNumber: number;
  policy: string;
  /** Business milliseconds used before `runningSince`. */
  usedMs: number;
  /** Set while the clock runs. */
  runningSince: Date | null;
  firstResponse: SlaTargetState;
  resolution: SlaTargetState;
  /** Tier a breach moves the ticket to (the policy's), or null for the next tier. */
  escalateTo: string | null;
  updatedAt: Date;
}

/** A durable timer: the scheduler fires it once per due time (see sla-scheduler.ts). */
export interface SlaTimer {
  /** `<ticketId>:<kind>`. */
  id: string;
  ticketId: string;
  ticketNumber: number;
  kind: SlaTimerKind;
  /** Null while it should not fire (clock stopped, target met, already fired). */
  dueAt: Date | null;
}

/** Statuses in which the team owes the next move. */
export function clockRuns(ticket: Ticket): boolean {
  return ticket.status === 'new' || ticket.status === 'open';
}

/** Stops or starts the clock to match the ticket's status at `at`. */
export function followStatus(clock: SlaClock, ticket: Ticket, at: Date, cal: BusinessCalendar): SlaClock {
  const runs = clockRuns(ticket);
  let next = clock;
  if (clock.runningSince && !runs) {
    next = { ...clock, usedMs: clock.usedMs + businessTimeBetween(clock.runningSince, at, cal), runningSince: null };
  } else if (!clock.runningSince && runs) {
    next = { ...clock, runningSince: at };
  }
  const done = ticket.status === 'resolved' || ticket.status === 'closed';
  const resolution = done ? { ...next.resolution, metAt: next.resolution.metAt ?? at } : { ...next.resolution, metAt: undefined };
  return { ...next, resolution };
}

/** When a target's remaining business time runs out, or null while the clock is stopped. */
export function dueAt(clock: SlaClock, target: SlaTarget, cal: BusinessCalendar, share = 1): Date | null {
  if (!clock.runningSince) return null;
  return addBusinessTime(clock.runningSince, Math.max(0, clock[target].targetMs * share - clock.usedMs), cal);
}

/** The four timers of a clock, each with its due time or null. */
export function timersOf(clock: SlaClock, cal: BusinessCalendar, warnAtPercent: number): SlaTimer[] {
  return SLA_TARGETS.flatMap((target) => {
    const state = clock[target];
    const open = !state.metAt;
    const timer = (kind: SlaTimerKind, due: Date | null): SlaTimer => ({
      id: `${clock.ticketId}:${kind}`, ticketId: clock.ticketId, ticketNumber: clock.ticketNumber, kind, dueAt: due,
    });
    return [
      timer(`${target}-warning`, open && !state.warnedAt && !state.breachedAt ? dueAt(clock, target, cal, warnAtPercent / 100) : null),
      timer(`${target}-breach`, open && !state.breachedAt ? dueAt(clock, target, cal) : null),
    ];
  });
}

export function parseTimerKind(kind: SlaTimerKind): { target: SlaTarget; stage: 'warning' | 'breach' } {
  const [target, stage] = kind.split('-') as [SlaTarget, 'warning' | 'breach'];
  return { target, stage };
}
