/**
 * The agents' SLA mails: a warning before a target is breached (to the assignee, or to the
 * ticket's tier while nobody has it) and the breach (to the agents of the tier it was escalated
 * to). Each goes through the outbox in the agent's language; its id derives from the firing, so
 * a repeated firing queues nothing new.
 */
import type { Agent, AgentRepository } from '../agents/agent.types.ts';
import { composeCustomerMail, type CustomerMailSettings } from '../mail/customer-mail.ts';
import type { OutboxRepository, TemplateRenderer } from '../ports.ts';
import type { Ticket, Tier } from '../types.ts';
import type { SlaTarget } from './sla-clock.ts';

export interface SlaNotifierDeps {
  agents: Pick<AgentRepository, 'byId' | 'list'>;
  outbox: Pick<OutboxRepository, 'enqueue'>;
  renderer: TemplateRenderer;
  mail: CustomerMailSettings;
}

export interface SlaNotice {
  firingId: string;
  stage: 'warning' | 'breach';
  target: SlaTarget;
  ticket: Ticket;
  dueAt: Date;
  /** The calendar's zone: due times are shown in it. */
  timeZone: string;
  /** For a breach: the tier the ticket was moved from. */
  fromTier?: Tier;
}

export class SlaNotifier {
  constructor(private readonly deps: SlaNotifierDeps) {}

  /** The agents of a tier who can work (not disabled). */
  async tierAgents(tier: Tier): Promise<Agent[]> {
    return (await this.deps.agents.list()).filter((a) => a.tier === tier && !a.disabled);
  }

  /** Whom a warning goes to: the assignee, or the ticket's tier when it has none. */
  async warningRecipients(ticket: Ticket): Promise<Agent[]> {
    const assignee = ticket.assigneeId ? await this.deps.agents.byId(ticket.assigneeId) : null;
    if (assignee && !assignee.disabled) return [assignee];
    return this.tierAgents(ticket.tier ?? 'L1');
  }

  /** Queues one mail per agent; returns how many. */
  async notify(notice: SlaNotice, agents: Agent[], at: Date): Promise<number> {
    const { ticket } = notice;
    for (const agent of agents) {
      const rendered = await this.deps.renderer.render(`sla-${notice.stage}`, agent.language, {
        ticketNumber: ticket.number, subject: ticket.subject, agentName: agent.displayName,
        firstResponse: notice.target === 'firstResponse', resolution: notice.target === 'resolution',
        dueAt: formatDue(notice.dueAt, notice.timeZone), tier: ticket.tier ?? 'L1', fromTier: notice.fromTier ?? '',
        escalated: Boolean(notice.fromTier && notice.fromTier !== ticket.tier),
      });
      const mail = composeCustomerMail(this.deps.mail, {
        id: `${notice.firingId}:${agent.id}`, kind: `sla-${notice.stage}`, ticket,
        to: [{ address: agent.email, name: agent.displayName }], rendered, references: [], automatic: true,
      });
      await this.deps.outbox.enqueue(mail, at);
    }
    return agents.length;
  }
}

/** `2026-12-07 10:00 (Asia/Jakarta)`: the same in both languages, unambiguous. */
export function formatDue(at: Date, timeZone: string): string {
  const parts: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  for (const p of f.formatToParts(at)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (${timeZone})`;
}
