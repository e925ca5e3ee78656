/**
 * Decides which ticket an inbound message belongs to, in a fixed order of trust:
 *   0. a conversation id (chat), which the channel takes from the visitor's own token, never from a
 *      payload: the conversation's newest ticket, else a new one;
 *   1. a signed reply token in a recipient address (cannot be guessed);
 *   2. In-Reply-To / References naming our Message-IDs (which carry the token) or any stored one;
 *   3. a `[#number]` subject tag, only when the sender already takes part in that ticket;
 *   4. otherwise a new ticket.
 * A valid token or reference from someone who is not a participant still appends, but flags the ticket.
 * Agent tokens (sent only to agents) thread the same way; the decision says so, and whether the
 * token was issued to this very sender, so ingest can tell an agent's reply from anything else.
 */
import type { MessageRepository, TicketRepository } from './ports.ts';
import { verifyAgentToken, verifyReplyToken, type TokenKeys } from './mail/reply-token.ts';
import type { Contact, Decision, InboundMessage, Ticket } from './types.ts';

export type ThreadDecision =
  | { kind: 'append'; ticket: Ticket; flagged: boolean; decision: Decision; agentToken?: { issuedToSender: boolean } }
  | { kind: 'new'; decision: Decision };

export interface ThreadResolverDeps {
  tickets: TicketRepository;
  messages: MessageRepository;
  keys: TokenKeys;
  /** Domain of our Message-IDs: `<token.seq@domain>`. */
  messageIdDomain: string;
}

const thread = (rule: string, detail: string): Decision => ({ step: 'thread', rule, detail });

/** The token embedded in one of our own Message-IDs, if the id is ours. */
export function tokenInOwnMessageId(messageId: string, domain: string): string | null {
  const id = messageId.replace(/^<|>$/g, '').toLowerCase();
  const at = id.lastIndexOf('@');
  if (at < 0 || id.slice(at + 1) !== domain.toLowerCase()) return null;
  return id.slice(0, at).split('.')[0] ?? null;
}

export class ThreadResolver {
  constructor(private readonly deps: ThreadResolverDeps) {}

  /**
   * A conversation's ticket (null: none yet), found by the conversation id alone; undefined for a
   * message with no conversation. Ingest looks it up while it finds the sender, and hands it to `resolve`.
   */
  conversationTicket(message: InboundMessage): Promise<Ticket | null> | undefined {
    const conversation = message.threadHints.conversationId;
    return conversation ? this.deps.tickets.byConversation(`${message.channel}:${conversation}`) : undefined;
  }

  /** `conversationTicket`: what `conversationTicket(message)` found, when the caller looked it up already. */
  async resolve(message: InboundMessage, sender: Contact | null, conversationTicket?: Ticket | null): Promise<ThreadDecision> {
    const isParticipant = (t: Ticket) => Boolean(sender && t.participantIds.includes(sender.id));

    const conversation = message.threadHints.conversationId;
    if (conversation) {
      const ticket = conversationTicket !== undefined ? conversationTicket : await this.conversationTicket(message);
      if (!ticket) return { kind: 'new', decision: thread('new-conversation', `conversation ${conversation} starts`) };
      const flagged = !isParticipant(ticket);
      return { kind: 'append', ticket, flagged, decision: thread('conversation', `conversation ${conversation} is #${ticket.number}${flagged ? ' from a non-participant' : ''}`) };
    }

    for (const token of message.threadHints.replyTokens) {
      const agent = await this.ticketForAgentToken(token, message.from.address);
      if (agent) return { kind: 'append', ...agent, decision: thread('agent-token', `agent token for #${agent.ticket.number}`) };
      const ticket = await this.ticketForToken(token);
      if (!ticket) continue;
      const flagged = !isParticipant(ticket);
      return { kind: 'append', ticket, flagged, decision: thread('reply-token', `token for #${ticket.number}${flagged ? ' from a non-participant' : ''}`) };
    }

    const refs = [message.threadHints.inReplyTo, ...[...message.threadHints.references].reverse()]
      .filter((r): r is string => Boolean(r));
    for (const ref of refs) {
      const token = tokenInOwnMessageId(ref, this.deps.messageIdDomain);
      const agent = token ? await this.ticketForAgentToken(token, message.from.address) : null;
      if (agent) return { kind: 'append', ...agent, decision: thread('agent-token', `${ref} is our mail to an agent, for #${agent.ticket.number}`) };
      const ticket = token ? await this.ticketForToken(token) : null;
      if (ticket) {
        const flagged = !isParticipant(ticket);
        return { kind: 'append', ticket, flagged, decision: thread('own-message-id', `${ref} is ours, for #${ticket.number}`) };
      }
    }
    if (refs.length) {
      const stored = await this.deps.messages.byRfcMessageIds(message.channel, refs);
      const ticket = stored ? await this.deps.tickets.byId(stored.ticketId) : null;
      if (ticket) {
        const flagged = !isParticipant(ticket);
        return { kind: 'append', ticket, flagged, decision: thread('references', `${stored!.rfcMessageId} is stored on #${ticket.number}`) };
      }
    }

    const tag = message.threadHints.subjectTag;
    if (tag !== undefined) {
      const ticket = await this.deps.tickets.byNumber(tag);
      if (ticket && isParticipant(ticket)) {
        return { kind: 'append', ticket, flagged: false, decision: thread('subject-tag', `[#${tag}] from a participant`) };
      }
      return { kind: 'new', decision: thread('new-ticket', `subject tag [#${tag}] ignored: sender is not a participant`) };
    }
    return { kind: 'new', decision: thread('new-ticket', 'no token, reference or subject tag matched') };
  }

  /** An agent token always flags here; ingest lifts the flag only for an authenticated agent. */
  private async ticketForAgentToken(token: string, sender: string | undefined) {
    const found = verifyAgentToken(this.deps.keys, token, sender);
    const ticket = found ? await this.deps.tickets.byNumber(found.ticketNumber) : null;
    return ticket && found ? { ticket, flagged: true, agentToken: { issuedToSender: found.issuedToSender } } : null;
  }

  private async ticketForToken(token: string): Promise<Ticket | null> {
    const number = verifyReplyToken(this.deps.keys, token);
    return number === null ? null : this.deps.tickets.byNumber(number);
  }
}
