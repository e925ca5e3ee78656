/**
 * A ticket's SLA as agents see it (ticket detail API): per target its due time while the clock
 * runs, the business time left while it is paused, and when it was met, warned or breached.
 */
import type { BusinessCalendar } from './business-calendar.ts';
import { dueAt, SLA_TARGETS, type SlaClock, type SlaTarget } from './sla-clock.ts';

export interface SlaTargetView {
  dueAt: string | null;
  /** Business milliseconds left (negative once overdue). */
  remainingMs: number;
  metAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
}

export interface SlaView {
  policy: string;
  /** True while the clock stands still (pending, resolved or closed). */
  paused: boolean;
  timeZone: string;
  firstResponse: SlaTargetView;
  resolution: SlaTargetView;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function slaView(clock: SlaClock, cal: BusinessCalendar, usedNowMs: number): SlaView {
  const target = (t: SlaTarget): SlaTargetView => {
    const s = clock[t];
    return {
      dueAt: s.metAt ? null : iso(dueAt(clock, t, cal)), remainingMs: s.targetMs - usedNowMs,
      metAt: iso(s.metAt), warnedAt: iso(s.warnedAt), breachedAt: iso(s.breachedAt),
    };
  };
  const [firstResponse, resolution] = SLA_TARGETS.map(target) as [SlaTargetView, SlaTargetView];
  return { policy: clock.policy, paused: !clock.runningSince, timeZone: cal.timeZone, firstResponse, resolution };
}
