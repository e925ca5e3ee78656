/**
 * Decides what the rules set on a ticket a message is about to open, and the decision-log entry
 * that says which rule fired and why. The ingest stores that entry with the message and creates
 * the ticket with the fields already set, so a replayed ingest cannot apply a rule half-way.
 */
import type { Decision, InboundMessage } from '../types.ts';
import { intakeFacts } from './intake-facts.ts';
import type { IntakeRuleStore, RuleActions } from './intake-rule.types.ts';
import { firstMatch } from './rule-matcher.ts';

export interface RuleOutcome {
  ruleId: string;
  preset: RuleActions;
  decision: Decision;
}

function describe(actions: RuleActions): string {
  return Object.entries(actions).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(', ');
}

export class IntakeRules {
  constructor(private readonly store: IntakeRuleStore) {}

  async decide(message: InboundMessage): Promise<RuleOutcome | null> {
    const hit = firstMatch(await this.store.list(), intakeFacts(message));
    if (!hit) return null;
    const { rule, matched } = hit;
    const why = matched.length ? `matched ${matched.join(', ')}` : 'catch-all';
    return {
      ruleId: rule.id, preset: rule.then,
      decision: { step: 'rule', rule: rule.id, detail: `rule "${rule.name}" (${why}): ${describe(rule.then)}` },
    };
  }
}
