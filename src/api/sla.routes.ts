/**
 * Agent API on SLAs: a ticket's due times (also part of GET /tickets/:number) and the policies
 * and business calendar in force, so agents can see why a ticket is due when it is.
 */
import { z } from 'zod';
import type { Repositories, SlaSettings, SlaView } from '../core/index.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import { ticketParam } from './ticket.schemas.ts';

/** What the API needs of the SLA tracker. */
export interface SlaApi {
  view(ticketId: string): Promise<SlaView | null>;
  settings: SlaSettings;
}

const targetView = z.object({
  dueAt: z.string().nullable().describe('null while the clock is paused or the target is met'),
  remainingMs: z.number().describe('business time left; negative once overdue'),
  metAt: z.string().nullable(),
  warnedAt: z.string().nullable(),
  breachedAt: z.string().nullable(),
});

export const slaViewSchema = z.object({
  policy: z.string(),
  paused: z.boolean().describe('true while the ticket is pending, resolved or closed'),
  timeZone: z.string(),
  firstResponse: targetView,
  resolution: targetView,
});

const calendar = z.object({
  timeZone: z.string(), workingDays: z.array(z.number()), start: z.string(), end: z.string(), holidays: z.array(z.string()),
});

const policiesView = z.object({
  calendar,
  warnAtPercent: z.number(),
  policies: z.array(z.object({
    name: z.string(), priority: z.string(), category: z.string().optional(), domain: z.string().optional(),
    firstResponseMinutes: z.number(), resolutionMinutes: z.number(), escalateTo: z.string().optional(), calendar: calendar.optional(),
  })),
});

export function registerSlaRoutes(api: ApiRegistry, deps: { repos: Repositories; sla: SlaApi }): void {
  api.add({
    method: 'get', path: '/tickets/:number/sla', operationId: 'getTicketSla', tag: 'sla', access: 'agent', params: ticketParam,
    summary: "A ticket's SLA: due times in business time, paused while pending, met, warned and breached",
    responses: { 200: { description: 'The SLA, or null when no policy applies', schema: slaViewSchema.nullable() } },
    async handler({ params, res }) {
      const ticket = await deps.repos.tickets.byNumber(params.number);
      if (!ticket) return res.status(404).json({ error: 'not_found', message: `no ticket #${params.number}` });
      res.json(await deps.sla.view(ticket.id));
    },
  });
  api.add({
    method: 'get', path: '/sla/policies', operationId: 'listSlaPolicies', tag: 'sla', access: 'agent',
    summary: 'The SLA policies and the business calendar they count in',
    responses: { 200: { description: 'Policies and calendar', schema: policiesView } },
    handler({ res }) {
      const { calendar: cal, warnAtPercent, policies } = deps.sla.settings;
      res.json({ calendar: cal, warnAtPercent, policies });
    },
  });
}
