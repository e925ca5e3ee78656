/**
 * What a status change tells the customer, on their channel, for the statuses switched on in
 * config: on a chat ticket a line in the conversation (a visitor who is away gets it in the chat
 * digest mail, chat/chat-digest.service.ts), on any other ticket a mail in the thread. The words come from
 * `templates/status/<status>/` in the ticket's language. An address that hard-bounced gets no mail.
 */
import { composeCustomerMail, type CustomerMailSettings } from './mail/customer-mail.ts';
import type { Repositories, TemplateRenderer } from './ports.ts';
import type { MailOutbound, OutboundMessage, Ticket, TicketStatus } from './types.ts';

export interface StatusUpdateSettings extends CustomerMailSettings {
  /** The statuses whose change the customer hears about. */
  notify: readonly TicketStatus[];
}

export class StatusUpdateComposer {
  constructor(
    private readonly repos: Pick<Repositories, 'contacts' | 'messages' | 'suppressions'>,
    private readonly renderer: TemplateRenderer,
    private readonly settings: StatusUpdateSettings,
  ) {}

  /** The update for this change, or null (status switched off, or no way to reach the requester). */
  async compose(ticket: Ticket, status: TicketStatus, at: Date): Promise<OutboundMessage | null> {
    if (!this.settings.notify.includes(status)) return null;
    // One id per change: a replay of the same change queues nothing twice.
    const id = `status:${ticket.id}:${status}:${at.getTime()}`;
    const [requester] = await this.repos.contacts.byIds([ticket.requesterId]);
    const vars = { ticketNumber: ticket.number, subject: ticket.subject, name: requester?.name ?? '' };
    const rendered = await this.renderer.render(`status/${status}`, ticket.locale, vars);
    if (ticket.channel !== 'chat') return this.mail(ticket, id, rendered, at);
    // In the conversation one line says it (the subject; the mail's text talks about replying by
    // mail). A visitor who is away gets it in the chat digest mail, with any agent lines they missed.
    return {
      id, kind: 'status', channel: 'chat', ticketId: ticket.id, ticketNumber: ticket.number, text: rendered.subject, contactId: ticket.requesterId,
    };
  }

  private async mail(ticket: Ticket, id: string, rendered: Awaited<ReturnType<TemplateRenderer['render']>>, at: Date): Promise<MailOutbound | null> {
    const [requester] = await this.repos.contacts.byIds([ticket.requesterId]);
    const to = requester?.emails[0];
    if (!to || await this.repos.suppressions.activeFor(to, at)) return null;
    const history = (await this.repos.messages.listByTicket(ticket.id)).filter((m) => m.rfcMessageId && !m.internal);
    const lastCustomer = history.filter((m) => m.direction === 'inbound' && m.fromContactId === ticket.requesterId).at(-1);
    return composeCustomerMail(this.settings, {
      id, kind: 'status', ticket, to: [{ address: to, ...(requester?.name ? { name: requester.name } : {}) }], rendered, automatic: true,
      ...(lastCustomer?.rfcMessageId ? { inReplyTo: lastCustomer.rfcMessageId } : {}),
      references: history.map((m) => m.rfcMessageId!),
    });
  }
}
