/**
 * The `sla` slice: the business calendar, the warning threshold and the policies (see README,
 * "SLA and business calendars"). Kept apart from schema.ts because a calendar has rules of its own.
 */
import { z } from 'zod';
import { parseJson } from './json-env.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM (24 h)');
const timeZone = z.string().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Asia/Jakarta');

/** `1,2,3` from the environment, numbers from a file. */
const weekdays = z.array(z.coerce.number().int().min(1).max(7)).min(1, 'at least one working day (1 = Monday ... 7 = Sunday)');

export const calendarSchema = z.object({
  timeZone,
  workingDays: weekdays,
  start: hhmm,
  end: hhmm,
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')).max(1000),
}).strict().refine((c) => c.start < c.end, { message: 'end must be after start', path: ['end'] });

const tier = z.enum(['L1', 'L2', 'L3']);
const minutes = z.number().int().min(1).max(366 * 24 * 60);

export const slaPolicySchema = z.object({
  name: z.string().min(1).max(60),
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  category: z.string().min(1).max(60).optional(),
  domain: z.string().min(1).max(253).transform((d) => d.toLowerCase()).optional(),
  firstResponseMinutes: minutes,
  resolutionMinutes: minutes,
  escalateTo: tier.optional(),
  calendar: calendarSchema.optional(),
}).strict();


export const slaSchema = z.object({
  /** Off: no clocks are kept and no timers fire. */
  enabled: z.preprocess((v) => (typeof v === 'string' ? /^(1|true|yes|on)$/i.test(v) : v), z.boolean()),
  /** How often each process looks for due timers. */
  pollIntervalMs: z.coerce.number().int().min(100),
  calendar: calendarSchema,
  warnAtPercent: z.coerce.number().int().min(1).max(99),
  policies: z.preprocess(parseJson, z.array(slaPolicySchema).max(200)).superRefine((policies, ctx) => {
    const names = new Set<string>();
    policies.forEach((p, i) => {
      if (names.has(p.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `policy name ${p.name} is used twice` });
      names.add(p.name);
    });
  }),
});
