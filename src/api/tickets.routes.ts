/**
 * Agent API on tickets: the list (filters, newest first, cursor pagination), one ticket with its
 * whole cross-channel thread, attachments and full bodies, and the agent actions (change fields,
 * escalate, reply, note). Reads go through the core's repositories, changes through TicketActions
 * with the caller as the actor.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { deliveryOf, type HtmlDisplay, type Logger, type Repositories, type TicketActions, type TicketFilter } from '../core/index.ts';
import { sendBlob } from './blob-download.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import type { Principal } from './principal.ts';
import { slaViewSchema, type SlaApi } from './sla.routes.ts';
import { presentMessage, presentTicket } from './ticket.presenter.ts';
import {
  attachmentParam, changeBody, escalateBody, listQuery, messageView, textBody, ticketParam, ticketQuery, ticketView,
} from './ticket.schemas.ts';

export interface TicketRoutesDeps {
  repos: Repositories;
  actions: TicketActions;
  baseUrl: string;
  displayHtml: HtmlDisplay;
  logger?: Logger;
  /** The ticket's SLA due times, shown in its detail. */
  sla?: Pick<SlaApi, 'view'>;
}

const noTicket = (n: number) => ({ error: 'not_found', message: `no ticket #${n}` });

/** The list query as a repository filter; null when it can match nothing (an unknown requester address). */
async function filterOf(q: z.output<typeof listQuery>, principal: Principal, repos: Repositories): Promise<TicketFilter | null> {
  const filter: TicketFilter = {};
  for (const key of ['status', 'channel', 'tier', 'priority', 'category'] as const) if (q[key] !== undefined) Object.assign(filter, { [key]: q[key] });
  if (q.assignee === 'none') filter.assigneeId = null;
  else if (q.assignee === 'me') filter.assigneeId = principal.agent?.id ?? principal.actor.id;
  else if (q.assignee) filter.assigneeId = q.assignee;
  if (q.requester?.includes('@')) {
    const contact = await repos.contacts.byEmail(q.requester);
    if (!contact) return null;
    filter.requesterId = contact.id;
  } else if (q.requester) filter.requesterId = q.requester;
  if (q.q) filter.subjectContains = q.q;
  return filter;
}

export function registerTicketRoutes(api: ApiRegistry, { repos, actions, baseUrl, displayHtml, logger, sla }: TicketRoutesDeps): void {
  const view = (ticketNumber: number, remoteImages = false) => ({ ticketNumber, baseUrl, displayHtml, remoteImages });

  api.add({
    method: 'get', path: '/tickets', operationId: 'listTickets', tag: 'tickets', access: 'agent', query: listQuery,
    summary: 'Tickets, newest first, filtered; `nextCursor` pages on',
    responses: { 200: { description: 'A page of tickets', schema: z.object({ tickets: z.array(ticketView), nextCursor: z.string().nullable() }) } },
    async handler({ query, principal, res }) {
      const filter = await filterOf(query, principal, repos);
      if (!filter) return res.json({ tickets: [], nextCursor: null });
      const found = await repos.tickets.list({ limit: query.limit + 1, filter, ...(query.cursor ? { beforeNumber: query.cursor } : {}) });
      const page = found.slice(0, query.limit);
      const requesters = await repos.contacts.byIds([...new Set(page.map((t) => t.requesterId))]);
      res.json({
        tickets: page.map((t) => presentTicket(t, requesters.find((c) => c.id === t.requesterId))),
        nextCursor: found.length > query.limit ? String(page[page.length - 1]!.number) : null,
      });
    },
  });

  api.add({
    method: 'get', path: '/tickets/:number', operationId: 'getTicket', tag: 'tickets', access: 'agent', params: ticketParam, query: ticketQuery,
    summary: 'One ticket with its whole thread (every channel), internal notes and the delivery state of what we sent',
    responses: { 200: { description: 'The ticket', schema: ticketView.extend({ messages: z.array(messageView), sla: slaViewSchema.nullable() }) } },
    async handler({ params, query, res }) {
      const ticket = await repos.tickets.byNumber(params.number);
      if (!ticket) return res.status(404).json(noTicket(params.number));
      const [requester] = await repos.contacts.byIds([ticket.requesterId]);
      const messages = await repos.messages.listByTicket(ticket.id);
      const deliveries = await repos.outbox.listByTicket(ticket.id);
      const v = view(ticket.number, query.remoteImages === '1' || query.remoteImages === 'true');
      res.json({
        ...presentTicket(ticket, requester), messages: messages.map((m) => presentMessage(m, v, deliveryOf(m, deliveries))),
        sla: (await sla?.view(ticket.id)) ?? null,
      });
    },
  });

  api.add({
    method: 'patch', path: '/tickets/:number', operationId: 'updateTicket', tag: 'tickets', access: 'agent', params: ticketParam, body: changeBody,
    summary: 'Change status, priority, category or assignee (each change audited)',
    responses: { 200: { description: 'The changed ticket', schema: ticketView } },
    async handler({ params, body, principal, res }) {
      const n = params.number;
      let ticket = await repos.tickets.byNumber(n);
      if (!ticket) return res.status(404).json(noTicket(n));
      const actor = principal.actor;
      if (body.status) ticket = await actions.setStatus(n, body.status, actor);
      if (body.priority) ticket = await actions.setPriority(n, body.priority, actor);
      if (body.category !== undefined) ticket = await actions.setCategory(n, body.category, actor);
      if (body.assigneeId !== undefined) ticket = await actions.assign(n, body.assigneeId, actor);
      res.json(presentTicket(ticket));
    },
  });

  api.add({
    method: 'post', path: '/tickets/:number/escalate', operationId: 'escalateTicket', tag: 'tickets', access: 'agent', params: ticketParam, body: escalateBody,
    summary: 'Escalate to a tier with a reason (kept in the audit trail)',
    responses: { 200: { description: 'The escalated ticket', schema: ticketView } },
    async handler({ params, body, principal, res }) {
      res.json(presentTicket(await actions.escalate(params.number, body.tier, body.reason, principal.actor)));
    },
  });

  for (const kind of ['replies', 'notes'] as const) {
    api.add({
      method: 'post', path: `/tickets/:number/${kind}`, operationId: kind === 'replies' ? 'replyToTicket' : 'addNote', tag: 'tickets',
      access: 'agent', params: ticketParam, body: textBody,
      summary: kind === 'replies' ? 'A public reply: stored, then delivered on the customer\'s channel through the outbox' : 'An internal note: never sent to the customer',
      responses: { 201: { description: 'Stored', schema: messageView } },
      async handler({ params, body, principal, res }) {
        const requestId = body.requestId ?? randomUUID();
        const act = kind === 'replies' ? actions.reply.bind(actions) : actions.note.bind(actions);
        const stored = await act(params.number, requestId, body.text, principal.actor);
        res.status(201).json(presentMessage(stored, view(params.number)));
      },
    });
  }

  api.add({
    method: 'get', path: '/tickets/:number/attachments/:blobId', operationId: 'downloadAttachment', tag: 'tickets', access: 'agent', params: attachmentParam,
    summary: 'Download an attachment of the ticket',
    responses: { 200: { description: 'The attachment\'s bytes', contentType: 'application/octet-stream' } },
    async handler({ params, res }) {
      const ticket = await repos.tickets.byNumber(params.number);
      const messages = ticket ? await repos.messages.listByTicket(ticket.id) : [];
      const attachment = messages.flatMap((m) => m.attachments ?? []).find((a) => a.blobId === params.blobId);
      if (!attachment) return res.status(404).json({ error: 'not_found', message: 'no such attachment on this ticket' });
      await sendBlob(res, repos.blobs, attachment, logger);
    },
  });

  api.add({
    method: 'get', path: '/suppressions', operationId: 'listSuppressions', tag: 'mail', access: 'admin',
    summary: 'Addresses that get no automatic mail after a hard bounce',
    responses: { 200: { description: 'Active suppressions', schema: z.object({ suppressions: z.array(z.looseObject({ address: z.string() })) }) } },
    async handler({ res }) {
      res.json({ suppressions: await repos.suppressions.listActive(new Date()) });
    },
  });
}
