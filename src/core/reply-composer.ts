/**
 * What an agent's public reply becomes for the customer, by the requester's reachable routes: on
 * a chat ticket a live message (lines a gone visitor missed go out later as ONE digest mail, see
 * chat/chat-digest.service.ts), on any other ticket a mail in the thread, when the requester has an
 * address; else nothing to send.
 */
import { composeCustomerMail, type CustomerMailSettings } from './mail/customer-mail.ts';
import type { Repositories, TemplateRenderer } from './ports.ts';
import type { MailOutbound, OutboundMessage, Ticket } from './types.ts';

export interface ReplyInput {
  /** Outbox id: deterministic per reply, so a replay queues nothing twice. */
  id: string;
  body: string;
  agentName: string;
  /** The message being answered by this very reply, when it is stored already (agent mail). */
  excludeExternalId?: string;
}

export class ReplyComposer {
  constructor(
    private readonly repos: Pick<Repositories, 'contacts' | 'messages'>,
    private readonly renderer: TemplateRenderer,
    private readonly settings: CustomerMailSettings,
  ) {}

  async compose(ticket: Ticket, input: ReplyInput): Promise<OutboundMessage | null> {
    if (ticket.channel !== 'chat') return this.mail(ticket, input);
    return {
      id: input.id, kind: 'agent-reply', channel: 'chat', ticketId: ticket.id, ticketNumber: ticket.number,
      text: input.body, contactId: ticket.requesterId, authorName: input.agentName,
    };
  }

  /** The reply as a mail in the ticket's thread, or null when the requester has no address. */
  async mail(ticket: Ticket, input: ReplyInput): Promise<MailOutbound | null> {
    const [requester] = await this.repos.contacts.byIds([ticket.requesterId]);
    const to = requester?.emails[0];
    if (!to) return null;
    // Every stored rfcMessageId is one the customer saw: theirs, or our mail to them.
    const history = (await this.repos.messages.listByTicket(ticket.id))
      .filter((m) => m.rfcMessageId && !m.internal && m.externalId !== input.excludeExternalId);
    // Answer the requester's own latest mail (not an auto-reply, not a flagged stranger's).
    const lastCustomer = history.filter((m) => m.direction === 'inbound' && m.classification === 'human' && m.fromContactId === ticket.requesterId).at(-1);
    const rendered = await this.renderer.render('agent-reply', ticket.locale, {
      ticketNumber: ticket.number, subject: ticket.subject, body: input.body, agentName: input.agentName,
    });
    return composeCustomerMail(this.settings, {
      id: input.id, kind: 'agent-reply', ticket,
      to: [{ address: to, ...(requester?.name ? { name: requester.name } : {}) }],
      rendered, automatic: false,
      ...(lastCustomer?.rfcMessageId ? { inReplyTo: lastCustomer.rfcMessageId } : {}),
      references: history.map((m) => m.rfcMessageId!),
    });
  }
}
