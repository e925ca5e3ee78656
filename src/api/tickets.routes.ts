/**
 * Agent API: ticket list (newest first, cursor pagination), one ticket with its messages, and
 * attachment downloads. Every input is validated with zod before it reaches a query, and queries
 * built from input run with mongoose's sanitizeFilter.
 */
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Logger, Repositories } from '../core/index.ts';
import { sendBlob } from './blob-download.ts';
import type { Models } from '../infra/mongo/models.ts';
import { toTicket } from '../infra/mongo/ticket.repository.ts';
import { presentMessage, presentTicket } from './ticket.presenter.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.coerce.number().int().min(1).optional(),
}).strict();
const ticketParam = z.object({ number: z.coerce.number().int().min(1) });
/** `remoteImages=1` loads the remote images of displayed HTML (blocked by default: tracking pixels). */
const ticketQuery = z.object({ remoteImages: z.enum(['0', '1', 'true', 'false']).optional() }).strict();
const attachmentParam = ticketParam.extend({ blobId: z.string().regex(/^[a-z0-9-]{1,100}$/) });
const statusBody = z.object({ status: z.enum(['new', 'open', 'pending', 'resolved', 'closed']) }).strict();

function badRequest(res: Response, error: z.ZodError) {
  res.status(400).json({
    error: 'invalid_request',
    fields: error.issues.map((i) => ({
      field: i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.'),
      message: i.message,
    })),
  });
}

export function ticketRoutes(models: Models, repos: Repositories, baseUrl: string, logger?: Logger): Router {
  const router = Router();

  router.get('/tickets', async (req: Request, res: Response) => {
    const q = listQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, q.error);
    const filter = q.data.cursor ? { number: { $lt: q.data.cursor } } : {};
    const docs = await models.Ticket.find(filter).sort({ number: -1 }).limit(q.data.limit + 1).lean();
    const page = docs.slice(0, q.data.limit).map((d) => toTicket(d as never));
    const requesters = await repos.contacts.byIds([...new Set(page.map((t) => t.requesterId))]);
    res.json({
      tickets: page.map((t) => presentTicket(t, requesters.find((c) => c.id === t.requesterId))),
      nextCursor: docs.length > q.data.limit ? String(page[page.length - 1]!.number) : null,
    });
  });

  router.get('/tickets/:number', async (req: Request, res: Response) => {
    const p = ticketParam.safeParse(req.params);
    if (!p.success) return badRequest(res, p.error);
    const q = ticketQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, q.error);
    const display = { remoteImages: q.data.remoteImages === '1' || q.data.remoteImages === 'true' };
    const ticket = await repos.tickets.byNumber(p.data.number);
    if (!ticket) return res.status(404).json({ error: 'not_found', message: `no ticket #${p.data.number}` });
    const [requester] = await repos.contacts.byIds([ticket.requesterId]);
    const messages = await repos.messages.listByTicket(ticket.id);
    const deliveries = await models.Outbox.find({ ticketId: ticket.id }).lean();
    res.json({
      ...presentTicket(ticket, requester),
      messages: messages.map((m) => presentMessage(m, ticket.number, baseUrl, deliveries.find((d) => d.messageId === m.rfcMessageId), display)),
    });
  });

  router.patch('/tickets/:number', express.json({ limit: '10kb' }), async (req: Request, res: Response) => {
    const p = ticketParam.safeParse(req.params);
    if (!p.success) return badRequest(res, p.error);
    const body = statusBody.safeParse(req.body ?? {});
    if (!body.success) return badRequest(res, body.error);
    const ticket = await repos.tickets.byNumber(p.data.number);
    if (!ticket) return res.status(404).json({ error: 'not_found', message: `no ticket #${p.data.number}` });
    const at = new Date();
    await repos.tickets.setStatus(ticket.id, body.data.status, at);
    await repos.events.record({
      id: `status:${ticket.id}:${at.getTime()}`, ticketId: ticket.id, type: 'ticket.status-changed', actor: 'agent:api',
      data: { from: ticket.status, to: body.data.status }, at,
    });
    res.json(presentTicket((await repos.tickets.byId(ticket.id))!));
  });

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
