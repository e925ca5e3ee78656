/** Which SLA policy a ticket gets, and the settings the gateway refuses. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.ts';
import { nextTier, policyFor, type SlaPolicy } from '../../src/core/index.ts';
import { testConfig } from '../support/config.ts';

const policies: SlaPolicy[] = [
  { name: 'high', priority: 'high', firstResponseMinutes: 60, resolutionMinutes: 480 },
  { name: 'high-billing', priority: 'high', category: 'billing', firstResponseMinutes: 30, resolutionMinutes: 240 },
  { name: 'high-acme', priority: 'high', domain: 'acme.example', firstResponseMinutes: 15, resolutionMinutes: 120, escalateTo: 'L3' },
  { name: 'low', priority: 'low', firstResponseMinutes: 540, resolutionMinutes: 2700 },
];

describe('SLA policy matching', () => {
  it('picks by priority, then the most specific: organization over category over the general rule', () => {
    expect(policyFor(policies, { priority: 'high', domains: ['other.example'] })?.name).toBe('high');
    expect(policyFor(policies, { priority: 'high', category: 'billing', domains: [] })?.name).toBe('high-billing');
    expect(policyFor(policies, { priority: 'high', category: 'billing', domains: ['acme.example'] })?.name).toBe('high-acme');
    expect(policyFor(policies, { priority: 'low', category: 'billing', domains: ['acme.example'] })?.name).toBe('low');
    expect(policyFor(policies, { priority: 'urgent', domains: [] })).toBeNull();
  });

  it('escalates to the next tier, and L3 stays L3', () => {
    expect([nextTier('L1'), nextTier('L2'), nextTier('L3')]).toEqual(['L2', 'L3', 'L3']);
  });
});

describe('SLA settings', () => {
  it('defaults to the Jakarta calendar with a policy per priority', () => {
    const { sla } = testConfig();
    expect(sla.calendar).toEqual({ timeZone: 'Asia/Jakarta', workingDays: [1, 2, 3, 4, 5], start: '08:00', end: '17:00', holidays: [] });
    expect(sla.policies.map((p) => p.priority).sort()).toEqual(['high', 'low', 'normal', 'urgent']);
  });

  it('takes the calendar and policies from the environment', () => {
    const { sla } = testConfig({}, {
      SLA_TIME_ZONE: 'Europe/Berlin', SLA_WORKING_DAYS: '1,2,3,4,5,6', SLA_HOLIDAYS: '2026-12-25,2026-12-26', SLA_HOURS_START: '09:30', SLA_HOURS_END: '18:00',
      SLA_POLICIES: JSON.stringify([{ name: 'vip', priority: 'normal', domain: 'VIP.example', firstResponseMinutes: 10, resolutionMinutes: 60 }]),
    });
    expect(sla.calendar).toEqual({ timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5, 6], start: '09:30', end: '18:00', holidays: ['2026-12-25', '2026-12-26'] });
    expect(sla.policies).toEqual([{ name: 'vip', priority: 'normal', domain: 'vip.example', firstResponseMinutes: 10, resolutionMinutes: 60 }]);
  });

  it('refuses an unknown time zone, closing before opening, no working day and a policy with unknown keys, naming each', () => {
    let error: unknown;
    try {
      testConfig({}, {
        SLA_TIME_ZONE: 'Mars/Olympus', SLA_HOURS_START: '17:00', SLA_HOURS_END: '08:00',
        SLA_POLICIES: JSON.stringify([{ name: 'x', priority: 'high', firstResponseMinutes: 10, resolutionMinutes: 60, $where: 'x' }]),
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/SLA_TIME_ZONE \(sla\.calendar\.timeZone\): an IANA time zone/);
    expect(message).toMatch(/SLA_HOURS_END \(sla\.calendar\.end\): end must be after start/);
    expect(message).toMatch(/SLA_POLICIES \(sla\.policies\.0\): Unrecognized key: "\$where"/);
    expect(() => testConfig({ sla: { calendar: { workingDays: [] } } })).toThrow(/at least one working day/);
  });
});
