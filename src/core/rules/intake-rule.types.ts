/**
 * Intake rules: an ordered list an admin keeps, read when a message opens a ticket. The first
 * enabled rule whose conditions all hold sets the new ticket's fields (first match wins, like a
 * mail filter: the order says which rule is more specific, and one ticket never mixes two rules).
 */
import type { ChannelId, Priority, Tier } from '../types.ts';

/** Every given condition must hold; within one condition any listed value matches. None given: a catch-all. */
export interface RuleConditions {
  channels?: ChannelId[];
  /** Our address the message was sent to (To or Cc), lowercase: which mailbox it came in on. */
  recipients?: string[];
  /** The sender's address domain, lowercase; a listed domain also matches its subdomains. */
  senderDomains?: string[];
  /** Words or short phrases (lowercase letters and digits, single spaces) found in the subject or body. */
  words?: string[];
  /** The category a customer chose on the web form. */
  formCategories?: string[];
  /** The chat site key the widget runs on. */
  chatSites?: string[];
}

/** What a firing rule sets on the new ticket. */
export interface RuleActions {
  category?: string;
  priority?: Priority;
  tier?: Tier;
  assigneeId?: string;
  tags?: string[];
}

export interface IntakeRule {
  /** Stable, admin-chosen id (`vpn-to-network`), recorded in the decision log. */
  id: string;
  name: string;
  enabled: boolean;
  when: RuleConditions;
  then: RuleActions;
}

/** The stored, ordered list. */
export interface IntakeRuleStore {
  list(): Promise<IntakeRule[]>;
  /** Replaces the whole list (order included) in one write. */
  replace(rules: IntakeRule[], actor: string, at: Date): Promise<void>;
}
