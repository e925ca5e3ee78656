/**
 * Gathers the facts reports need for the tickets opened in a range: the tickets (one range query on
 * `createdAt`), then their messages, audit events and knowledge base suggestions by `ticketId` `$in`
 * (plain finds: FerretDB 1.x has no `$lookup`, and its `$group` lacks most accumulators, so the
 * figures are computed in the core, src/core/reports/report.figures.ts).
 */
import type { Connection } from 'mongoose';
import type { ChannelId, ReportSource, ReportTicket, Tier } from '../../core/index.ts';
import { knowledgeModels } from './knowledge.schemas.ts';
import type { createModels } from './models.ts';

type Models = ReturnType<typeof createModels>;
type TicketDoc = { _id: string; channel: ChannelId; category?: string; tier?: Tier; assigneeId?: string; createdAt: Date };
type MessageDoc = { ticketId: string; direction: string; author?: string; internal?: boolean; role?: string; opensTicket?: boolean; classification?: string; createdAt: Date };
type EventDoc = { ticketId: string; type: string; data?: { from?: string; to?: string }; at: Date };
type SuggestionDoc = { ticketId: string; answer?: string };

const DONE = ['resolved', 'closed'];
/** Ids per `$in` query. */
const CHUNK = 500;

async function byTicket<T>(ids: string[], find: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...await find(ids.slice(i, i + CHUNK)));
  return out;
}

export function mongoReportSource(conn: Connection, m: Models): ReportSource {
  const kb = knowledgeModels(conn);
  return {
    async ticketsOpened(from, to) {
      const tickets = await m.Ticket.find({ createdAt: { $gte: from, $lt: to } }, { _id: 1, channel: 1, category: 1, tier: 1, assigneeId: 1, createdAt: 1 }).lean<TicketDoc[]>();
      const ids = tickets.map((t) => t._id);
      const [messages, events, suggestions] = await Promise.all([
        byTicket(ids, (chunk) => m.Message.find({ ticketId: { $in: chunk } }, { ticketId: 1, direction: 1, author: 1, internal: 1, role: 1, opensTicket: 1, classification: 1, createdAt: 1 }).lean<MessageDoc[]>()),
        byTicket(ids, (chunk) => m.TicketEvent.find({ ticketId: { $in: chunk } }, { ticketId: 1, type: 1, data: 1, at: 1 }).lean<EventDoc[]>()),
        byTicket(ids, (chunk) => kb.Suggestion.find({ ticketId: { $in: chunk } }, { ticketId: 1, answer: 1 }).lean<SuggestionDoc[]>()),
      ]);
      const group = <T extends { ticketId: string }>(docs: T[]) => {
        const map = new Map<string, T[]>();
        for (const d of docs) map.set(d.ticketId, [...(map.get(d.ticketId) ?? []), d]);
        return map;
      };
      const msgs = group(messages);
      const evs = group(events);
      const sugg = group(suggestions);
      return tickets.map((t): ReportTicket => {
        const ticketEvents = (evs.get(t._id) ?? []).sort((a, b) => a.at.getTime() - b.at.getTime());
        const ticketMessages = (msgs.get(t._id) ?? []).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
        const statusChanges = ticketEvents.filter((e) => e.type === 'ticket.status-changed');
        const resolvedAt = (statusChanges.find((e) => e.data?.to === 'resolved') ?? statusChanges.find((e) => e.data?.to === 'closed'))?.at;
        const firstResponseAt = ticketMessages.find((x) => x.direction === 'outbound' && x.author === 'agent' && !x.internal)?.createdAt;
        // Reopened: an agent moved it out of resolved/closed, or the customer wrote again after it was resolved.
        const reopenedByAgent = statusChanges.some((e) => DONE.includes(e.data?.from ?? '') && !DONE.includes(e.data?.to ?? ''));
        const reopenedByCustomer = Boolean(resolvedAt) && ticketMessages.some((x) => x.direction === 'inbound' && x.role === 'customer'
          && !x.opensTicket && x.classification === 'human' && x.createdAt.getTime() > resolvedAt!.getTime());
        const ticketSuggestions = sugg.get(t._id) ?? [];
        return {
          id: t._id, channel: t.channel, createdAt: t.createdAt,
          ...(t.category ? { category: t.category } : {}), ...(t.tier ? { tier: t.tier } : {}), ...(t.assigneeId ? { assigneeId: t.assigneeId } : {}),
          ...(firstResponseAt ? { firstResponseAt } : {}), ...(resolvedAt ? { resolvedAt } : {}),
          escalations: ticketEvents.filter((e) => e.type === 'ticket.escalated').length,
          reopened: reopenedByAgent || reopenedByCustomer,
          slaBreached: ticketEvents.some((e) => e.type === 'sla.breached'),
          articlesSuggested: ticketSuggestions.length,
          articlesAccepted: ticketSuggestions.filter((s) => s.answer === 'solved').length,
        };
      });
    },
  };
}
