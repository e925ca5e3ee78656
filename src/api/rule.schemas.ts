/**
 * The intake rule list as the API accepts it. Every length is capped, words are plain lowercase
 * words (never a pattern: nothing a user writes runs as a regex), and a refused list says which
 * field of which rule is wrong (`rules.2.when.words.0: ...`).
 */
import { z } from 'zod';
import { PRIORITIES, TIERS, tokenize } from '../core/index.ts';

const CHANNELS = ['email', 'chat', 'webform'] as const;
const MAX_VALUES = 50;
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_VALUES).optional();

const word = z.string().min(1).max(60).transform((w) => w.trim().toLowerCase())
  .refine((w) => w.length > 0 && tokenize(w).join(' ') === w, 'a word or phrase of letters and digits separated by single spaces (no patterns, no punctuation)');
const domain = z.string().min(3).max(253).transform((d) => d.trim().toLowerCase())
  .refine((d) => d.split('.').length >= 2 && d.split('.').every((label) => /^[a-z0-9-]{1,63}$/.test(label)), 'a domain such as example.co.id');
const tag = z.string().min(1).max(40).regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes');

export const ruleConditions = z.strictObject({
  channels: list(z.enum(CHANNELS)),
  recipients: list(z.email().max(254).transform((a) => a.toLowerCase())),
  senderDomains: list(domain),
  words: list(word),
  formCategories: list(z.string().trim().min(1).max(100)),
  chatSites: list(z.string().min(1).max(64)),
}).describe('Every given condition must hold; within one, any value matches. An empty object is a catch-all.');

export const ruleActions = z.strictObject({
  category: z.string().trim().min(1).max(100).optional(),
  priority: z.enum(PRIORITIES).optional(),
  tier: z.enum(TIERS).optional(),
  assigneeId: z.string().min(1).max(100).optional(),
  tags: z.array(tag).min(1).max(20).optional(),
}).refine((a) => Object.values(a).some((v) => v !== undefined), 'a rule must set at least one of category, priority, tier, assigneeId, tags');

export const intakeRule = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lowercase letters, digits and dashes, at most 48'),
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  when: ruleConditions,
  then: ruleActions,
});

export const ruleListBody = z.strictObject({
  rules: z.array(intakeRule).max(200).superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id "${r.id}"` });
      seen.add(r.id);
    });
  }).describe('In order: the first enabled rule whose conditions hold fires'),
});

export const ruleListView = z.object({ rules: z.array(z.looseObject({ id: z.string(), name: z.string(), enabled: z.boolean() })) });
