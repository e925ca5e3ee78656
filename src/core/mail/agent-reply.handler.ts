/**
 * An agent answering by email. A mail is an agent reply only when all three hold: its From is a
 * configured agent address, a trusted verifier authenticated that From (DMARC pass or aligned
 * DKIM pass), and it carries an agent token issued to that agent (customer tokens are in every
 * mail a customer gets, so anyone on a thread has them). The gateway then sends the text on to
 * the customer with customer-facing headers (our From, the ticket's Reply-To token, no
 * Auto-Submitted: a person wrote it). Anything less from an agent address is a customer message,
 * held for review.
 */
import type { CustomerMailSettings } from './customer-mail.ts';
import { ReplyComposer } from '../reply-composer.ts';
import type { Repositories, TemplateRenderer } from '../ports.ts';
import { senderAuthenticated } from './sender-authentication.ts';
import type { ThreadDecision } from '../thread-resolver.ts';
import type { RoleContext, RoleHandler, RoleOutcome } from '../message-role.ts';
import type { InboundMessage, MailOutbound, Ticket } from '../types.ts';

/** `agent`: a proven agent reply; `unproven`: from an agent address, but not proven; `none`: not from an agent. */
export interface AgentMailVerdict {
  verdict: 'agent' | 'unproven' | 'none';
  detail: string;
}

export class AgentReplyHandler implements RoleHandler {
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

  judge(message: InboundMessage, decision: ThreadDecision): AgentMailVerdict {
    const from = message.from.address;
    if (!this.isAgent(from)) return { verdict: 'none', detail: 'not an agent address' };
    const unproven = (why: string): AgentMailVerdict => ({ verdict: 'unproven', detail: `mail from agent address ${from} held for review: ${why}` });
    if (decision.kind !== 'append') return unproven('it carries no ticket token');
    if (!decision.agentToken) return unproven('a customer token never makes an agent reply');
    if (!decision.agentToken.issuedToSender) return unproven('the agent token was issued to another agent');
    if (!senderAuthenticated(message.authentication, from)) return unproven('no trusted dmarc=pass or aligned dkim=pass');
    return { verdict: 'agent', detail: `${from} answers #${decision.ticket.number}` };
  }

  /** A proven agent reply: sent on to the customer; the ticket waits for the customer. */
  async finish({ message, ticket, at }: RoleContext): Promise<RoleOutcome> {
    // On a chat ticket the answer is a chat line like any agent reply: live to a connected visitor,
    // in the visitor's digest mail when they are gone.
    const outbound = ticket.channel === 'chat'
      ? await new ReplyComposer(this.repos, this.renderer, this.settings).compose(ticket, this.replyInput(message))
      : await this.compose(ticket, message);
    if (outbound) await this.repos.outbox.enqueue(outbound, at);
    await this.repos.tickets.setStatus(ticket.id, 'pending', at);
    return { eventType: 'agent.replied', notes: [] };
  }

  /** Builds the mail to the customer (deterministic id: one per agent message). */
  compose(ticket: Ticket, message: InboundMessage): Promise<MailOutbound | null> {
    return new ReplyComposer(this.repos, this.renderer, this.settings).mail(ticket, this.replyInput(message));
  }

  private replyInput(message: InboundMessage) {
    return {
      id: `reply:${message.channel}:${message.externalId}`, body: message.visibleText,
      agentName: message.from.name || this.settings.supportName, excludeExternalId: message.externalId,
    };
  }
}
