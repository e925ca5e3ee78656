/** Pure matching of intake rules against a message's facts. */
import type { IntakeFacts } from './intake-facts.ts';
import type { IntakeRule, RuleConditions } from './intake-rule.types.ts';

/** Whether the phrase's words occur one after another in the tokens. */
function hasPhrase(tokens: string[], phrase: string[]): boolean {
  if (!phrase.length) return false;
  for (let i = 0; i + phrase.length <= tokens.length; i++) {
    if (phrase.every((w, j) => tokens[i + j] === w)) return true;
  }
  return false;
}

const domainMatches = (domain: string, listed: string) => domain === listed || domain.endsWith(`.${listed}`);

/** Which conditions hold, or null when one does not. */
export function conditionsHold(when: RuleConditions, facts: IntakeFacts): string[] | null {
  const held: string[] = [];
  const check = (name: string, ok: boolean) => { if (ok) held.push(name); return ok; };
  if (when.channels?.length && !check('channel', when.channels.includes(facts.channel))) return null;
  if (when.recipients?.length && !check('recipient', when.recipients.some((r) => facts.recipients.has(r)))) return null;
  if (when.senderDomains?.length && !check('sender domain', Boolean(facts.senderDomain && when.senderDomains.some((d) => domainMatches(facts.senderDomain!, d))))) return null;
  if (when.words?.length && !check('words', when.words.some((w) => hasPhrase(facts.tokens, w.split(' '))))) return null;
  if (when.formCategories?.length && !check('form category', Boolean(facts.formCategory && when.formCategories.some((c) => c.toLowerCase() === facts.formCategory)))) return null;
  if (when.chatSites?.length && !check('chat site', Boolean(facts.chatSite && when.chatSites.includes(facts.chatSite)))) return null;
  return held;
}

/** The first enabled rule whose conditions all hold (the list's order decides), with what matched. */
export function firstMatch(rules: IntakeRule[], facts: IntakeFacts): { rule: IntakeRule; matched: string[] } | null {
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const matched = conditionsHold(rule.when, facts);
    if (matched) return { rule, matched };
  }
  return null;
}
