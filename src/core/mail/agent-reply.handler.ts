/**
 * An agent answering by email. A mail is an agent reply only when all of these hold: its From is
 * an agent address (configured in AGENT_ADDRESSES, or an enabled agent account's), a trusted
 * verifier authenticated that From (DMARC pass or aligned DKIM pass), a person wrote it (no
 * auto-reply), and it carries an agent token issued to that agent (customer tokens are in every
 * mail a customer gets, so anyone on a thread has them; agent tokens are only in notification
 * mails to that one agent). The gateway then sends the text on to the customer on the ticket's
 * channel with customer-facing headers (our From, the ticket's Reply-To token, no
 * Auto-Submitted: a person wrote it). With `#note` as its first line it is an internal note
 * instead and goes nowhere. Anything less from an agent address is a customer message, held for
 * review.
 */
import type { Agent } from '../agents/agent.types.ts';
import type { CustomerMailSettings } from './customer-mail.ts';
import { ReplyComposer } from '../reply-composer.ts';
import type { Repositories, TemplateRenderer } from '../ports.ts';
import { senderAuthenticated } from './sender-authentication.ts';
import type { ThreadDecision } from '../thread-resolver.ts';
import type { RoleContext, RoleHandler, RoleOutcome } from '../message-role.ts';
import type { InboundMessage, MailOutbound, StoredMessage, Ticket } from '../types.ts';

/** `agent`: a proven agent reply; `unproven`: from an agent address, but not proven; `none`: not from an agent. */
export interface AgentMailVerdict {
  verdict: 'agent' | 'unproven' | 'none';
  detail: string;
}

/** Where agent accounts are looked up by address (the directory's briefly cached roster). */
export interface AgentAccounts {
  rosterByEmail(email: string): Promise<Agent | null>;
}

const NOTE_MARK = '#note';

/**
 * The note's text when the agent's visible text starts with a `#note` line (`#note` alone, or
 * followed by the note on the same line), else null. Only the first line is looked at, capped.
 */
export function internalNote(visibleText: string): string | null {
  const text = visibleText.trimStart();
  const end = text.indexOf('\n');
  const first = (end < 0 ? text : text.slice(0, end)).slice(0, 200).trim();
  if (first.toLowerCase() !== NOTE_MARK && !first.toLowerCase().startsWith(`${NOTE_MARK} `)) return null;
  const sameLine = first.slice(NOTE_MARK.length).trim();
  const rest = end < 0 ? '' : text.slice(end + 1).trim();
  return [sameLine, rest].filter(Boolean).join('\n');
}

export class AgentReplyHandler implements RoleHandler {
  private readonly configured: Set<string>;

  constructor(
    private readonly repos: Repositories,
    private readonly renderer: TemplateRenderer,
    private readonly settings: CustomerMailSettings & { agentAddresses: string[] },
    private readonly accounts?: AgentAccounts,
  ) {
    this.configured = new Set(settings.agentAddresses.map((a) => a.toLowerCase()));
  }

  /**
   * Whether the sender is an agent. Accounts are consulted only for mail that carries an agent
   * token: a plain customer mail costs no lookup (ingest's command budget), and without an agent
   * token no mail can be an agent reply anyway.
   */
  private async agentAddress(from: string, decision: ThreadDecision): Promise<'agent' | 'disabled' | 'none'> {
    if (this.configured.has(from.toLowerCase())) return 'agent';
    if (!this.accounts || decision.kind !== 'append' || !decision.agentToken) return 'none';
    const account = await this.accounts.rosterByEmail(from);
    if (!account) return 'none';
    return account.disabled ? 'disabled' : 'agent';
  }

  async judge(message: InboundMessage, decision: ThreadDecision): Promise<AgentMailVerdict> {
    const from = message.from.address;
    const address = from ? await this.agentAddress(from, decision) : 'none';
    if (address === 'none') return { verdict: 'none', detail: 'not an agent address' };
    const unproven = (why: string): AgentMailVerdict => ({ verdict: 'unproven', detail: `mail from agent address ${from} held for review: ${why}` });
    if (address === 'disabled') return unproven('the agent account is disabled');
    if (decision.kind !== 'append') return unproven('it carries no ticket token');
    if (!decision.agentToken) return unproven('a customer token never makes an agent reply');
    if (!decision.agentToken.issuedToSender) return unproven('the agent token was issued to another agent');
    if (!senderAuthenticated(message.authentication, from)) return unproven('no trusted dmarc=pass or aligned dkim=pass');
    // An agent's out-of-office answering a notification must not reach the customer.
    if (message.classification !== 'human') return unproven(`automatic mail (${message.classification}) is never an agent reply`);
    const note = internalNote(message.visibleText) !== null;
    return { verdict: 'agent', detail: `${from} ${note ? 'adds an internal note to' : 'answers'} #${decision.ticket.number}` };
  }

  /** What the stored agent message gets besides the author: a note is internal and keeps only its text. */
  storedFields(message: InboundMessage): Partial<StoredMessage> {
    const note = internalNote(message.visibleText);
    return note === null ? { author: 'agent' } : { author: 'agent', internal: true, visibleText: note };
  }

  /** A proven agent reply: sent on to the customer, and the ticket waits for the customer. A note: kept, sent nowhere. */
  async finish({ message, stored, ticket, at }: RoleContext): Promise<RoleOutcome> {
    if (stored.internal) return { eventType: 'agent.noted', notes: [] };
    // On a chat ticket the answer is a chat line like any agent reply: live to a connected visitor,
    // in the visitor's digest mail when they are gone. Any other ticket (mail, web form) gets a mail.
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
