/**
 * SLA policies: targets per priority, optionally narrowed to a category or to a customer
 * organization (the requester's email domain). The most specific matching policy wins, so a
 * deployment states a general rule per priority and exceptions beside it.
 */
import type { Priority, Tier } from '../types.ts';
import type { BusinessCalendar } from './business-calendar.ts';

export interface SlaPolicy {
  name: string;
  priority: Priority;
  /** Only tickets of this category. */
  category?: string | undefined;
  /** Only tickets whose requester has an address at this domain (lowercase). */
  domain?: string | undefined;
  /** Business minutes until the first public agent reply is due. */
  firstResponseMinutes: number;
  /** Business minutes until the ticket is due to be resolved (pending time not counted). */
  resolutionMinutes: number;
  /** Tier a breach moves the ticket to; without it, the next tier (L1 -> L2 -> L3). */
  escalateTo?: Tier | undefined;
  /** This policy's own calendar (e.g. a 24/7 customer); without it, the deployment's. */
  calendar?: BusinessCalendar | undefined;
}

export interface SlaSettings {
  calendar: BusinessCalendar;
  /** The warning goes out when this share of a target's business time is used (percent). */
  warnAtPercent: number;
  policies: readonly SlaPolicy[];
}

/** What a ticket is matched on. */
export interface SlaSubject {
  priority: Priority;
  category?: string | undefined;
  /** Email domains of the requester (lowercase). */
  domains: readonly string[];
}

/** The matching policy with the most conditions (domain beats category), or null. */
export function policyFor(policies: readonly SlaPolicy[], subject: SlaSubject): SlaPolicy | null {
  let best: SlaPolicy | null = null;
  let bestScore = -1;
  for (const p of policies) {
    if (p.priority !== subject.priority) continue;
    if (p.category !== undefined && p.category !== subject.category) continue;
    if (p.domain !== undefined && !subject.domains.includes(p.domain)) continue;
    const score = (p.domain !== undefined ? 2 : 0) + (p.category !== undefined ? 1 : 0);
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}
