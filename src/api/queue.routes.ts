/**
 * What the agent console's queue needs beside the ticket list: the number of tickets per status
 * under the same filters, and the agents a ticket can be assigned to (any agent may see who
 * their colleagues are; the full accounts stay admin-only under /agents).
 */
import { z } from 'zod';
import { TICKET_STATUSES, TIERS, type Repositories, type AgentDirectory, type TicketFilter } from '../core/index.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import { listQuery } from './ticket.schemas.ts';

export const countsQuery = listQuery.pick({ channel: true, tier: true, assignee: true, priority: true, category: true, q: true });

const countsView = z.object({
  counts: z.object(Object.fromEntries(TICKET_STATUSES.map((s) => [s, z.number()])) as Record<(typeof TICKET_STATUSES)[number], z.ZodNumber>),
  total: z.number(),
});
const colleague = z.object({ id: z.string(), displayName: z.string(), tier: z.enum(TIERS) });

export function registerQueueRoutes(api: ApiRegistry, { repos, agents }: { repos: Repositories; agents: AgentDirectory }): void {
  api.add({
    method: 'get', path: '/ticket-counts', operationId: 'countTickets', tag: 'tickets', access: 'agent', query: countsQuery,
    summary: 'How many tickets per status match the filters (the queue\'s counts)',
    responses: { 200: { description: 'Counts per status', schema: countsView } },
    async handler({ query, principal, res }) {
      const filter: TicketFilter = {};
      for (const key of ['channel', 'tier', 'priority', 'category'] as const) if (query[key] !== undefined) Object.assign(filter, { [key]: query[key] });
      if (query.assignee === 'none') filter.assigneeId = null;
      else if (query.assignee === 'me') filter.assigneeId = principal.agent?.id ?? principal.actor.id;
      else if (query.assignee) filter.assigneeId = query.assignee;
      if (query.q) filter.subjectContains = query.q;
      const found = await repos.tickets.countByStatus(filter);
      const counts = Object.fromEntries(TICKET_STATUSES.map((s) => [s, found[s] ?? 0])) as z.infer<typeof countsView>['counts'];
      res.json({ counts, total: Object.values(counts).reduce((a, b) => a + b, 0) });
    },
  });

  api.add({
    method: 'get', path: '/agent-directory', operationId: 'agentDirectory', tag: 'agents', access: 'agent',
    summary: 'Active agents by name and tier, to assign a ticket to (no addresses, no settings)',
    responses: { 200: { description: 'Agents', schema: z.object({ agents: z.array(colleague) }) } },
    async handler({ res }) {
      const all = await agents.list();
      res.json({ agents: all.filter((a) => !a.disabled).map((a) => ({ id: a.id, displayName: a.displayName, tier: a.tier })) });
    },
  });
}
