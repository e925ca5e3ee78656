/**
 * Turns one ticket event into mails for the agents who asked for them, in each agent's language:
 *   ticket.created    -> agents of the ticket's tier (switch `newTickets`)
 *   ticket.escalated  -> agents of the tier it went to, with the reason (switch `newTickets`)
 *   ticket.assigned   -> the new assignee (switch `assignments`)
 *   message.appended  -> the assignee, for a customer's reply (switch `customerReplies`)
 * Disabled agents get nothing, nor does the agent who caused the event (who assigned, escalated or
 * wrote). Only a person's message counts (no auto-replies, bounces or bulk mail), and chat lines
 * are not mailed one by one (the agent sees the live chat in the console). An SLA escalation is
 * left out: the SLA breach mail already tells that tier (sla-notifier.ts).
 * The outbox id is the event's and the agent's: a repeated event or a pass retried after a crash
 * queues nothing twice.
 */
import { createHash } from 'node:crypto';
import type { Agent, NotificationSettings } from '../agents/agent.types.ts';
import { composeAgentMail } from '../mail/agent-mail.ts';
import type { CustomerMailSettings } from '../mail/customer-mail.ts';
import type { AuditEvent, Repositories, TemplateRenderer } from '../ports.ts';
import type { StoredMessage, Ticket, Tier } from '../types.ts';

export interface AgentNotifierDeps {
  repos: Pick<Repositories, 'tickets' | 'messages' | 'contacts' | 'outbox'>;
  /** Every agent account (cached briefly by the directory). */
  roster: () => Promise<Agent[]>;
  renderer: TemplateRenderer;
  mail: CustomerMailSettings;
  /** Where agents open the console: a ticket's link is `<publicUrl>/console#/tickets/<number>`. */
  publicUrl: string;
}

/** Event types that may mail agents: only these are marked for fan-out when recorded. */
export const AGENT_NOTIFYING_EVENTS = ['ticket.created', 'message.appended', 'ticket.assigned', 'ticket.escalated'] as const;
const NOTIFYING = new Set<string>(AGENT_NOTIFYING_EVENTS);

export function agentFanoutWanted(eventType: string): boolean {
  return NOTIFYING.has(eventType);
}

/** The longest message text quoted in a notification (the rest is in the console). */
export const MAX_NOTIFIED_TEXT = 4000;

type Reason = 'newTicket' | 'escalated' | 'assigned' | 'customerReply';

interface Plan {
  reason: Reason;
  recipients: Agent[];
  /** The customer message the mail quotes. */
  message?: StoredMessage;
  extra?: Record<string, unknown>;
}

const SWITCH: Record<Reason, keyof NotificationSettings> = {
  newTicket: 'newTickets', escalated: 'newTickets', assigned: 'assignments', customerReply: 'customerReplies',
};

type NotifyingEvent = typeof AGENT_NOTIFYING_EVENTS[number];

/** The reason each notifying event can be mailed for (the switch an agent must have on). */
const REASON_OF: Record<NotifyingEvent, Reason> = {
  'ticket.created': 'newTicket', 'message.appended': 'customerReply', 'ticket.assigned': 'assigned', 'ticket.escalated': 'escalated',
};

/**
 * Whether any agent of `roster` could be mailed about an event of this type: an enabled agent with
 * its switch on. When none could, the event goes straight to the audit trail (the composition gives
 * this to the event repository) and the fan-out pass has nothing to read for it: on a desk whose
 * agents turned these mails off, or that has no agents yet, a mail costs no background command.
 * The roster is the one intake reads anyway (cached for AGENT_ROSTER_TTL_MS), so a switch turned on
 * in another process counts from its next refresh, as it does for the pass itself.
 */
export function agentsMayBeNotified(eventType: string, roster: readonly Agent[]): boolean {
  const reason = REASON_OF[eventType as NotifyingEvent] as Reason | undefined;
  return reason !== undefined && roster.some((a) => !a.disabled && a.notifications[SWITCH[reason]]);
}

export class AgentNotifier {
  constructor(private readonly deps: AgentNotifierDeps) {}

  /** Queues this event's mails; returns how many. Safe to repeat. */
  async notify(event: AuditEvent, at: Date): Promise<number> {
    if (!agentFanoutWanted(event.type)) return 0;
    // Who could want this mail at all is in the (cached) roster: when nobody can, the ticket and
    // message need not be read (two commands per new ticket on a desk where nobody takes these mails).
    const agents = await this.deps.roster();
    if (!agentsMayBeNotified(event.type, agents)) return 0;
    const ticket = await this.deps.repos.tickets.byId(event.ticketId);
    if (!ticket) return 0;
    const plan = await this.plan(event, ticket, agents);
    if (!plan) return 0;
    const wanted = plan.recipients.filter((a) => !a.disabled && a.notifications[SWITCH[plan.reason]]);
    if (!wanted.length) return 0;
    const message = plan.message ?? await this.latestCustomerMessage(ticket);
    const customer = await this.customerLine(ticket, message);
    const text = (message?.visibleText || message?.text || '').slice(0, MAX_NOTIFIED_TEXT).trim();
    const eventKey = createHash('sha256').update(event.id).digest('hex').slice(0, 24);
    for (const agent of wanted) {
      const rendered = await this.deps.renderer.render('agent-notification', agent.language, {
        [plan.reason]: true, agentName: agent.displayName, ticketNumber: ticket.number, subject: ticket.subject,
        tier: ticket.tier ?? 'L1', customer, text, hasText: text.length > 0, channel: ticket.channel,
        consoleUrl: `${this.deps.publicUrl.replace(/\/$/, '')}/console#/tickets/${ticket.number}`, ...plan.extra,
      });
      await this.deps.repos.outbox.enqueue(composeAgentMail(this.deps.mail, {
        id: `notify:${eventKey}:${agent.id}`, kind: 'agent-notification', ticket, agent, rendered,
      }), at);
    }
    return wanted.length;
  }

  /** Who gets a mail for this event and why, or null when nobody does. */
  private async plan(event: AuditEvent, ticket: Ticket, agents: Agent[]): Promise<Plan | null> {
    const notActor = (a: Agent) => event.actor !== `agent:${a.id}`;
    const actorName = () => agents.find((a) => `agent:${a.id}` === event.actor)?.displayName ?? this.deps.mail.supportName;
    switch (event.type) {
      case 'ticket.created':
      case 'message.appended': {
        const message = typeof event.data.messageId === 'string' ? await this.deps.repos.messages.byId(event.data.messageId) : null;
        if (!message || message.direction !== 'inbound' || message.role === 'agent' || message.role === 'bounce') return null;
        if (message.classification && message.classification !== 'human') return null;
        const sender = message.from.address?.toLowerCase();
        const others = agents.filter((a) => a.email !== sender);
        if (event.type === 'ticket.created') {
          return { reason: 'newTicket', message, recipients: others.filter((a) => a.tier === (ticket.tier ?? 'L1')) };
        }
        if (ticket.channel === 'chat' || !ticket.assigneeId) return null;
        return { reason: 'customerReply', message, recipients: others.filter((a) => a.id === ticket.assigneeId), extra: { flagged: Boolean(message.flagged) } };
      }
      case 'ticket.assigned': {
        const to = event.data.to;
        if (typeof to !== 'string') return null;
        return { reason: 'assigned', recipients: agents.filter((a) => a.id === to && notActor(a)), extra: { actorName: actorName() } };
      }
      case 'ticket.escalated': {
        if (event.actor === 'system:sla') return null;
        const tier = event.data.to as Tier;
        return {
          reason: 'escalated', recipients: agents.filter((a) => a.tier === tier && notActor(a)),
          extra: { tier, fromTier: (event.data.from as string | null) ?? 'L1', reason: String(event.data.reason ?? '').slice(0, 1000), actorName: actorName() },
        };
      }
      default:
        return null;
    }
  }

  /** For an assignment or escalation: what the customer last wrote. */
  private async latestCustomerMessage(ticket: Ticket): Promise<StoredMessage | undefined> {
    return (await this.deps.repos.messages.listByTicket(ticket.id))
      .filter((m) => m.direction === 'inbound' && !m.internal && m.role !== 'bounce' && m.classification !== 'bounce').at(-1);
  }

  /** `Ann <ann@example.org>`, or what is known of the requester. */
  private async customerLine(ticket: Ticket, message: StoredMessage | undefined): Promise<string> {
    const from = message?.from;
    if (from?.address) return from.name ? `${from.name} <${from.address}>` : from.address;
    const [requester] = await this.deps.repos.contacts.byIds([ticket.requesterId]);
    return requester?.name ?? requester?.emails[0] ?? from?.name ?? '';
  }
}
