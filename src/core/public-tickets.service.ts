/**
 * What a customer may see of their own ticket through a signed link, and the address check that
 * releases a held acknowledgement. Channels get it as the PublicTickets port (never repositories):
 * the thread it returns holds the customer's messages and agents' public replies only, never
 * internal notes, bounces, automatic mail or messages from strangers held for review.
 */
import type { Acknowledger } from './mail/acknowledger.ts';
import type { Clock, PublicMessage, PublicThread, PublicTickets, Repositories } from './ports.ts';
import type { ChannelId, Decision, InboundMessage, StoredMessage } from './types.ts';

export interface PublicTicketsDeps {
  repos: Pick<Repositories, 'tickets' | 'messages' | 'contacts'>;
  acknowledger: Acknowledger;
  clock: Clock;
  /** Called after a released acknowledgement was queued (kicks the dispatcher). */
  onQueued?: () => void;
}

function isPublic(m: StoredMessage): boolean {
  if (m.internal || !m.complete) return false;
  if (m.author === 'agent') return true;
  return m.direction === 'inbound' && m.role !== 'bounce' && m.role !== 'agent' && !m.flagged && (m.classification ?? 'human') === 'human';
}

function present(m: StoredMessage): PublicMessage {
  return {
    id: m.id, author: m.author === 'agent' ? 'agent' : 'customer', ...(m.from.name ? { name: m.from.name } : {}),
    text: m.visibleText || m.text, at: m.createdAt, attachments: m.attachments.map((a) => ({ filename: a.filename, size: a.size })),
  };
}

export class PublicTicketService implements PublicTickets {
  constructor(private readonly deps: PublicTicketsDeps) {}

  async thread(ticketId: string): Promise<PublicThread | null> {
    const { tickets, messages, contacts } = this.deps.repos;
    const ticket = await tickets.byId(ticketId);
    if (!ticket) return null;
    const [stored, [requester]] = await Promise.all([messages.listByTicket(ticket.id), contacts.byIds([ticket.requesterId])]);
    return {
      ticketId: ticket.id, number: ticket.number, subject: ticket.subject, status: ticket.status, locale: ticket.locale,
      requester: { ...(requester?.emails[0] ? { email: requester.emails[0] } : {}), ...(requester?.name ? { name: requester.name } : {}) },
      messages: stored.filter(isPublic).map(present),
    };
  }

  async filed(channel: ChannelId, externalId: string): Promise<{ ticketNumber: number; ticketId: string } | null> {
    const message = await this.deps.repos.messages.byExternalId(channel, externalId);
    return message?.complete ? { ticketNumber: message.ticketNumber, ticketId: message.ticketId } : null;
  }

  /** Queues the acknowledgement a verification link held back; a second click queues nothing more. */
  async confirmAddress(ticketId: string): Promise<Decision | null> {
    const { tickets, messages, contacts } = this.deps.repos;
    const ticket = await tickets.byId(ticketId);
    if (!ticket) return null;
    const opener = (await messages.listByTicket(ticket.id)).find((m) => m.opensTicket);
    if (!opener) return null;
    const [requester] = await contacts.byIds([ticket.requesterId]);
    const message: InboundMessage = {
      channel: opener.channel, externalId: opener.externalId, from: opener.from, to: [], cc: [], subject: opener.subject,
      text: opener.text, visibleText: opener.visibleText, attachments: [], receivedAt: opener.createdAt,
      threadHints: { replyTokens: [], references: [] }, classification: opener.classification ?? 'human',
      classificationReason: 'address verified', ...(opener.rfcMessageId ? { messageId: opener.rfcMessageId } : {}),
    };
    const at = this.deps.clock.now();
    const decision = await this.deps.acknowledger.acknowledge(ticket, message, requester ?? null, at);
    await messages.setAckDecision(opener.channel, opener.externalId, decision);
    if (decision.rule === 'queued') this.deps.onQueued?.();
    return decision;
  }
}
