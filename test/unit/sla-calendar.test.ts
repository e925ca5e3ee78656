/** Business time in a time zone: working hours, weekends, holidays, and a daylight saving change. */
import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from '../../src/core/index.ts';

const HOUR = 3_600_000;
const jakarta: BusinessCalendar = { timeZone: 'Asia/Jakarta', workingDays: [1, 2, 3, 4, 5], start: '08:00', end: '17:00', holidays: [] };
/** Jakarta is UTC+7 all year: 16:00 WIB is 09:00Z. */
const wib = (date: string, time: string) => new Date(`${date}T${time}:00+07:00`);

describe('business calendar (Asia/Jakarta, 08:00-17:00 Mon-Fri)', () => {
  it('inside one working day adds plain time', () => {
    expect(addBusinessTime(wib('2026-12-01', '09:00'), 2 * HOUR, jakarta)).toEqual(wib('2026-12-01', '11:00'));
  });

  it('carries what is left on Friday evening over the weekend to Monday morning', () => {
    // Friday 4 December 2026, 16:00: one hour today, one on Monday.
    expect(addBusinessTime(wib('2026-12-04', '16:00'), 2 * HOUR, jakarta)).toEqual(wib('2026-12-07', '09:00'));
  });

  it('skips a holiday on the Monday after the weekend', () => {
    const cal = { ...jakarta, holidays: ['2026-12-07'] };
    expect(addBusinessTime(wib('2026-12-04', '16:00'), 2 * HOUR, cal)).toEqual(wib('2026-12-08', '09:00'));
    expect(businessTimeBetween(wib('2026-12-04', '16:00'), wib('2026-12-08', '10:00'), cal)).toBe(3 * HOUR);
  });

  it('starts counting at opening time for a ticket that came in on Saturday or at night', () => {
    expect(addBusinessTime(wib('2026-12-05', '10:00'), 30 * 60_000, jakarta)).toEqual(wib('2026-12-07', '08:30'));
    expect(addBusinessTime(wib('2026-12-01', '22:00'), HOUR, jakarta)).toEqual(wib('2026-12-02', '09:00'));
  });

  it('counts no business time over a weekend and only working hours across days', () => {
    expect(businessTimeBetween(wib('2026-12-04', '17:00'), wib('2026-12-07', '08:00'), jakarta)).toBe(0);
    expect(businessTimeBetween(wib('2026-12-01', '12:00'), wib('2026-12-02', '12:00'), jakarta)).toBe(9 * HOUR);
  });

  it('a full working week is 45 hours, and adding then measuring gives the same amount back', () => {
    expect(businessTimeBetween(wib('2026-11-30', '00:00'), wib('2026-12-07', '00:00'), jakarta)).toBe(45 * HOUR);
    const start = wib('2026-12-03', '13:17');
    for (const ms of [1, 59 * 60_000, 4 * HOUR, 27 * HOUR + 123, 100 * HOUR]) {
      expect(businessTimeBetween(start, addBusinessTime(start, ms, jakarta), jakarta)).toBe(ms);
    }
  });

  it('follows daylight saving time in a zone that has it (Europe/Berlin, 29 March 2026)', () => {
    const berlin = { ...jakarta, timeZone: 'Europe/Berlin' };
    // Friday 16:00 CET (15:00Z) + 2 h: Monday 09:00 CEST, which is 07:00Z.
    expect(addBusinessTime(new Date('2026-03-27T15:00:00Z'), 2 * HOUR, berlin)).toEqual(new Date('2026-03-30T07:00:00Z'));
  });

  it('refuses a calendar without any working time instead of looping', () => {
    expect(() => addBusinessTime(wib('2026-12-01', '09:00'), HOUR, { ...jakarta, workingDays: [] })).toThrow(/no working time/);
  });
});
