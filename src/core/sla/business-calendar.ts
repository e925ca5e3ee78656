/**
 * Business time: working days and hours in an IANA time zone, minus holidays. SLA targets count
 * only this time, so a ticket that arrives on Friday evening in Jakarta is due on Monday, not on
 * Saturday. Time zones go through Intl (no time zone database of our own); a day's opening and
 * closing instants are computed per local date, so a zone with daylight saving time works too.
 */

export interface BusinessCalendar {
  /** IANA zone, e.g. Asia/Jakarta. */
  timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday ... 7 = Sunday. */
  workingDays: readonly number[];
  /** Local opening and closing time, `HH:MM` (24 h); closing after opening. */
  start: string;
  end: string;
  /** Local dates without work, `YYYY-MM-DD`. */
  holidays: readonly string[];
}

/** Longest stretch searched for working time (a calendar with no working day would loop forever). */
const MAX_DAYS = 3 * 366;
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number }

function localParts(at: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) parts[p.type] = p.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second), weekday: WEEKDAYS[parts.weekday!]!,
  };
}

/**
 * Opening and closing instants already computed, per zone and local date and time: every ticket's
 * timers walk the same few days, and each computation costs four `formatToParts` calls (the
 * largest part of an SLA timer's CPU). Pure values, so the cache cannot go stale; it is bounded.
 */
const instants = new Map<string, number>();
const MAX_CACHED_INSTANTS = 4096;

/** The instant at which the zone's wall clock shows this local date and time. */
function zonedInstant(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const key = `${timeZone} ${year}-${month}-${day} ${minutes}`;
  const known = instants.get(key);
  if (known !== undefined) return known;
  const instant = computeZonedInstant(year, month, day, minutes, timeZone);
  if (instants.size >= MAX_CACHED_INSTANTS) instants.clear();
  instants.set(key, instant);
  return instant;
}

function computeZonedInstant(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = wall;
  // Two rounds settle the offset even when the guess lands on the other side of a DST change.
  for (let i = 0; i < 2; i++) {
    const p = localParts(guess, timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wall - shown;
  }
  return guess;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** True when the value is a time zone Intl knows. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The working windows (opening, closing instants) of each local day from the one containing `from`. */
function* workingWindows(from: number, cal: BusinessCalendar): Generator<[number, number]> {
  const first = localParts(from, cal.timeZone);
  const open = minutesOf(cal.start);
  const close = minutesOf(cal.end);
  const holidays = new Set(cal.holidays);
  for (let i = 0; i < MAX_DAYS; i++) {
    // Date.UTC normalizes day overflow, so this walks local calendar dates.
    const date = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
    const y = date.getUTCFullYear(), m = date.getUTCMonth() + 1, d = date.getUTCDate();
    const weekday = ((date.getUTCDay() + 6) % 7) + 1;
    const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    if (!cal.workingDays.includes(weekday) || holidays.has(iso)) continue;
    yield [zonedInstant(y, m, d, open, cal.timeZone), zonedInstant(y, m, d, close, cal.timeZone)];
  }
}

/** The instant `businessMs` of working time after `start` (start itself when it is 0). */
export function addBusinessTime(start: Date, businessMs: number, cal: BusinessCalendar): Date {
  let remaining = businessMs;
  if (remaining <= 0) return start;
  const t = start.getTime();
  for (const [open, close] of workingWindows(t, cal)) {
    const from = Math.max(open, t);
    if (from >= close) continue;
    if (remaining <= close - from) return new Date(from + remaining);
    remaining -= close - from;
  }
  throw new RangeError(`no working time within ${MAX_DAYS} days in the business calendar`);
}

/** Working time between two instants (0 when `to` is not after `from`). */
export function businessTimeBetween(from: Date, to: Date, cal: BusinessCalendar): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  let total = 0;
  for (const [open, close] of workingWindows(a, cal)) {
    if (open >= b) break;
    total += Math.max(0, Math.min(close, b) - Math.max(open, a));
  }
  return total;
}
