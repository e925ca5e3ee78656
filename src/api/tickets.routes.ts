/**
 * Agent API: ticket list (newest first, cursor pagination), one ticket with its messages,
 * attachment downloads, and the agent actions (change fields, escalate, reply, note). Every input
 * is validated with zod; reads go through the core's repositories, changes through TicketActions.
 */
import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  PRIORITIES, TICKET_STATUSES, TIERS, type Actor, type HtmlDisplay, type OutboxEntry, type Repositories, type StoredMessage,
  type TicketActions, type Logger,
} from '../core/index.ts';
import { sendBlob } from './blob-download.ts';
import { presentMessage, presentTicket } from './ticket.presenter.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.coerce.number().int().min(1).optional(),
}).strict();
const ticketParam = z.object({ number: z.coerce.number().int().min(1) });
/** `remoteImages=1` loads the remote images of displayed HTML (blocked by default: tracking pixels). */
const ticketQuery = z.object({ remoteImages: z.enum(['0', '1', 'true', 'false']).optional() }).strict();
const attachmentParam = ticketParam.extend({ blobId: z.string().regex(/^[a-z0-9-]{1,100}$/) });
const changeBody = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  category: z.string().trim().min(1).max(100).nullable().optional(),
  assigneeId: z.string().trim().min(1).max(100).nullable().optional(),
}).strict().refine((b) => Object.keys(b).length > 0, 'nothing to change');
const escalateBody = z.object({ tier: z.enum(TIERS), reason: z.string().trim().min(1).max(2000) }).strict();
const textBody = z.object({
  text: z.string().trim().min(1).max(100_000),
  /** Makes a retried request store one message; generated when absent. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).optional(),
}).strict();

/** The admin token acts as one API agent until agent accounts exist. */
const API_ACTOR: Actor = { id: 'agent:api' };

function badRequest(res: Response, error: z.ZodError) {
  res.status(400).json({
    error: 'invalid_request',
    fields: error.issues.map((i) => ({
      field: i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.'),
      message: i.message,
    })),
  });
}

export interface TicketRoutesDeps {
  repos: Repositories;
  actions: TicketActions;
  baseUrl: string;
  displayHtml: HtmlDisplay;
  logger?: Logger;
}

/** The outbox entry that carried a stored message to the customer, if any. */
function deliveryOf(m: StoredMessage, entries: OutboxEntry[]): OutboxEntry | undefined {
  return entries.find((e) => (e.channel === 'email' && e.messageId === m.rfcMessageId) || `outbox:${e.id}` === m.externalId);
}

export function ticketRoutes({ repos, actions, baseUrl, displayHtml, logger }: TicketRoutesDeps): Router {
  const router = Router();
  const json = express.json({ limit: '200kb' });

  router.get('/tickets', async (req: Request, res: Response) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, q.error);
    const found = await repos.tickets.list({ limit: q.data.limit + 1, ...(q.data.cursor ? { beforeNumber: q.data.cursor } : {}) });
    const page = found.slice(0, q.data.limit);
    const requesters = await repos.contacts.byIds([...new Set(page.map((t) => t.requesterId))]);
    res.json({
      tickets: page.map((t) => presentTicket(t, requesters.find((c) => c.id === t.requesterId))),
      nextCursor: found.length > q.data.limit ? String(page[page.length - 1]!.number) : null,
    });
  });

  router.get('/tickets/:number', async (req: Request, res: Response) => {
    const p = ticketParam.safeParse(req.params);
    if (!p.success) return badRequest(res, p.error);
    const q = ticketQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, q.error);
    const ticket = await repos.tickets.byNumber(p.data.number);
    if (!ticket) return res.status(404).json({ error: 'not_found', message: `no ticket #${p.data.number}` });
    const [requester] = await repos.contacts.byIds([ticket.requesterId]);
    const messages = await repos.messages.listByTicket(ticket.id);
    const deliveries = await repos.outbox.listByTicket(ticket.id);
    const view = { ticketNumber: ticket.number, baseUrl, displayHtml, remoteImages: q.data.remoteImages === '1' || q.data.remoteImages === 'true' };
    res.json({
      ...presentTicket(ticket, requester),
      messages: messages.map((m) => presentMessage(m, view, deliveryOf(m, deliveries))),
    });
  });

  router.patch('/tickets/:number', json, async (req: Request, res: Response) => {
    const p = ticketParam.safeParse(req.params);
    if (!p.success) return badRequest(res, p.error);
    const body = changeBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    const n = p.data.number;
    const { status, priority, category, assigneeId } = body.data;
    let ticket = await repos.tickets.byNumber(n);
    if (!ticket) return res.status(404).json({ error: 'not_found', message: `no ticket #${n}` });
    if (status) ticket = await actions.setStatus(n, status, API_ACTOR);
    if (priority) ticket = await actions.setPriority(n, priority, API_ACTOR);
    if (category !== undefined) ticket = await actions.setCategory(n, category, API_ACTOR);
    if (assigneeId !== undefined) ticket = await actions.assign(n, assigneeId, API_ACTOR);
    res.json(presentTicket(ticket));
  });

  router.post('/tickets/:number/escalate', json, async (req: Request, res: Response) => {
    const p = ticketParam.safeParse(req.params);
    if (!p.success) return badRequest(res, p.error);
    const body = escalateBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    res.json(presentTicket(await actions.escalate(p.data.number, body.data.tier, body.data.reason, API_ACTOR)));
  });

  for (const kind of ['replies', 'notes'] as const) {
    router.post(`/tickets/:number/${kind}`, json, async (req: Request, res: Response) => {
      const p = ticketParam.safeParse(req.params);
      if (!p.success) return badRequest(res, p.error);
      const body = textBody.safeParse(req.body ?? {});
      if (!body.success) return badRequest(res, body.error);
      const requestId = body.data.requestId ?? randomUUID();
      const act = kind === 'replies' ? actions.reply.bind(actions) : actions.note.bind(actions);
      const stored = await act(p.data.number, requestId, body.data.text, API_ACTOR);
      res.status(201).json(presentMessage(stored, { ticketNumber: p.data.number, baseUrl, displayHtml, remoteImages: false }));
    });
  }

  router.get('/suppressions', async (_req: Request, res: Response) => {
    const list = await repos.suppressions.listActive(new Date());
    res.json({ suppressions: list });
  });

  router.get('/tickets/:number/attachments/:blobId', async (req: Request, res: Response) => {
    const p = attachmentParam.safeParse(req.params);
    if (!p.success) return badRequest(res, p.error);
    const ticket = await repos.tickets.byNumber(p.data.number);
    const messages = ticket ? await repos.messages.listByTicket(ticket.id) : [];
    const attachment = messages.flatMap((m) => m.attachments ?? []).find((a) => a.blobId === p.data.blobId);
    if (!attachment) return res.status(404).json({ error: 'not_found', message: 'no such attachment on this ticket' });
    await sendBlob(res, repos.blobs, attachment, logger);
  });

  return router;
}
