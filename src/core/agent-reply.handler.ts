/**
 * An agent answering by email: a configured agent address replying with a valid reply token posts
 * an agent reply on the ticket, and the gateway sends it on to the customer with customer-facing
 * headers (our From, the ticket's Reply-To token, no Auto-Submitted: a person wrote it). Anything
 * less (no token, a forged one, a non-agent sender) is handled as a customer message instead.
 */
import { composeCustomerMail, type CustomerMailSettings } from './customer-mail.ts';
import type { Repositories, TemplateRenderer } from './ports.ts';
import type { InboundMessage, OutboundMessage, Ticket } from './types.ts';

export class AgentReplyHandler {
  private readonly agents: Set<string>;

  constructor(
    private readonly repos: Repositories,
    private readonly renderer: TemplateRenderer,
    private readonly settings: CustomerMailSettings & { agentAddresses: string[] },
  ) {
    this.agents = new Set(settings.agentAddresses.map((a) => a.toLowerCase()));
  }

  isAgent(address: string | undefined): boolean {
    return Boolean(address && this.agents.has(address.toLowerCase()));
  }

  /** Builds the mail to the customer (deterministic id: one per agent message). */
  async compose(ticket: Ticket, message: InboundMessage): Promise<OutboundMessage | null> {
    const [requester] = await this.repos.contacts.byIds([ticket.requesterId]);
    const to = requester?.emails[0];
    if (!to) return null;
    // Every stored rfcMessageId is one the customer saw: theirs, or our mail to them.
    const history = (await this.repos.messages.listByTicket(ticket.id))
      .filter((m) => m.rfcMessageId && m.externalId !== message.externalId);
    // Answer the requester's own latest mail (not an auto-reply, not a flagged stranger's).
    const lastCustomer = history.filter((m) => m.direction === 'inbound' && m.classification === 'human' && m.fromContactId === ticket.requesterId).at(-1);
    const rendered = await this.renderer.render('agent-reply', ticket.locale, {
      ticketNumber: ticket.number, subject: ticket.subject, body: message.visibleText,
      agentName: message.from.name || this.settings.supportName,
    });
    return composeCustomerMail(this.settings, {
      id: `reply:${message.channel}:${message.externalId}`, kind: 'agent-reply', ticket,
      to: [{ address: to, ...(requester?.name ? { name: requester.name } : {}) }],
      rendered, automatic: false,
      ...(lastCustomer?.rfcMessageId ? { inReplyTo: lastCustomer.rfcMessageId } : {}),
      references: history.map((m) => m.rfcMessageId!),
    });
  }
}
