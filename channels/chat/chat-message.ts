/** How stored lines and visitor messages look on the wire and to the core. */
import type { ChatEntry, InboundMessage } from '../../src/core/index.ts';
import type { AgentMessage, ChatMessage } from './chat.events.ts';
import type { VisitorClaims } from './visitor-token.ts';

export function toChatMessage(entry: ChatEntry): ChatMessage {
  return {
    seq: entry.seq, author: entry.author, text: entry.text, at: entry.at.toISOString(),
    ...(entry.agentName ? { agentName: entry.agentName } : {}),
  };
}

export function toAgentMessage(entry: ChatEntry): AgentMessage {
  return { ticketNumber: entry.ticketNumber, ...toChatMessage(entry) };
}

/** A ticket's subject from the first message: its first line, cut short. */
function subjectOf(text: string): string {
  const line = text.slice(0, 200).split('\n').find((l) => l.trim())?.trim() ?? 'Chat';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/**
 * A visitor's message for the core. The conversation is the visitor, and the idempotency key is
 * visitor + clientId; an address is given only when the site signed it (the token says so).
 */
export function visitorInbound(visitor: VisitorClaims, clientId: string, text: string, at: Date): InboundMessage {
  return {
    channel: 'chat', externalId: `${visitor.visitorId}:${clientId}`, source: 'chat',
    from: { channelUserId: visitor.visitorId, ...(visitor.email ? { address: visitor.email } : {}), ...(visitor.name ? { name: visitor.name } : {}) },
    to: [], cc: [], subject: subjectOf(text), text, visibleText: text, attachments: [], receivedAt: at,
    threadHints: { replyTokens: [], references: [], conversationId: visitor.visitorId },
    classification: 'human', classificationReason: 'typed by a chat visitor',
    intake: { chatSite: visitor.siteKey },
    ...(visitor.locale ? { localeHint: visitor.locale } : {}),
  };
}
