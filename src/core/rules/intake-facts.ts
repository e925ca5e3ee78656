/**
 * What intake rules look at, taken once from an inbound message. Text is capped before it is
 * split, and split by one character class (no user pattern ever runs: rules list plain words).
 */
import type { InboundMessage } from '../types.ts';

/** Only the start of a long body is searched for rule words. */
export const MAX_RULE_TEXT = 20_000;

export interface IntakeFacts {
  channel: InboundMessage['channel'];
  recipients: Set<string>;
  senderDomain: string | null;
  /** Lowercase words of the subject and the visible body, in order. */
  tokens: string[];
  formCategory: string | null;
  chatSite: string | null;
}

export function tokenize(text: string): string[] {
  return text.slice(0, MAX_RULE_TEXT).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export function intakeFacts(message: InboundMessage): IntakeFacts {
  const address = message.from.address?.toLowerCase() ?? '';
  const at = address.lastIndexOf('@');
  return {
    channel: message.channel,
    recipients: new Set([...message.to, ...message.cc].map((a) => a.address.toLowerCase())),
    senderDomain: at > 0 ? address.slice(at + 1) : null,
    tokens: tokenize(`${message.subject.slice(0, 1000)}\n${message.visibleText || message.text}`),
    formCategory: message.intake?.formCategory?.toLowerCase() ?? null,
    chatSite: message.intake?.chatSite ?? null,
  };
}
