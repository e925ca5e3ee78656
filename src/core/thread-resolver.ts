/**
 * Decides which ticket an inbound message belongs to, in a fixed order of trust:
 *   1. a signed reply token in a recipient address (cannot be guessed);
 *   2. In-Reply-To / References naming our Message-IDs (which carry the token) or any stored one;
 *   3. a `[#number]` subject tag, only when the sender already takes part in that ticket;
 *   4. otherwise a new ticket.
 * A valid token or reference from someone who is not a participant still appends, but flags the ticket.
 */
import type { MessageRepository, TicketRepository } from './ports.ts';
import { verifyReplyToken, type TokenKeys } from './reply-token.ts';
import type { Contact, Decision, InboundMessage, Ticket } from './types.ts';

export type ThreadDecision =
  | { kind: 'append'; ticket: Ticket; flagged: boolean; decision: Decision }
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

  async resolve(message: InboundMessage, sender: Contact | null): Promise<ThreadDecision> {
    const isParticipant = (t: Ticket) => Boolean(sender && t.participantIds.includes(sender.id));

    for (const token of message.threadHints.replyTokens) {
      const ticket = await this.ticketForToken(token);
      if (!ticket) continue;
      const flagged = !isParticipant(ticket);
      return { kind: 'append', ticket, flagged, decision: thread('reply-token', `token for #${ticket.number}${flagged ? ' from a non-participant' : ''}`) };
    }

    const refs = [message.threadHints.inReplyTo, ...[...message.threadHints.references].reverse()]
      .filter((r): r is string => Boolean(r));
    for (const ref of refs) {
      const token = tokenInOwnMessageId(ref, this.deps.messageIdDomain);
      const ticket = token ? await this.ticketForToken(token) : null;
      if (ticket) {
        const flagged = !isParticipant(ticket);
        return { kind: 'append', ticket, flagged, decision: thread('own-message-id', `${ref} is ours, for #${ticket.number}`) };
      }
    }
    if (refs.length) {
      const stored = await this.deps.messages.byRfcMessageIds(refs);
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

  private async ticketForToken(token: string): Promise<Ticket | null> {
    const number = verifyReplyToken(this.deps.keys, token);
    return number === null ? null : this.deps.tickets.byNumber(number);
  }
}
