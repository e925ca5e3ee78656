/**
 * The full body of a message whose stored text or HTML is only a preview (bodies over the preview
 * size live in the blob store). HTML is served as a download in a sandbox: it is the raw mail
 * content, never to be rendered in the API's origin.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Repositories } from '../core/index.ts';

const bodyParams = z.object({
  number: z.coerce.number().int().min(1),
  messageId: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  part: z.enum(['text', 'html']),
});

export function messageBodyRoutes(repos: Repositories): Router {
  const router = Router();
  router.get('/tickets/:number/messages/:messageId/body/:part', async (req: Request, res: Response, next: NextFunction) => {
    const p = bodyParams.safeParse(req.params);
    if (!p.success) return res.status(400).json({ error: 'invalid_request', message: p.error.issues[0]?.message });
    const ticket = await repos.tickets.byNumber(p.data.number);
    const message = ticket ? (await repos.messages.listByTicket(ticket.id)).find((m) => m.id === p.data.messageId) : undefined;
    if (!message) return res.status(404).json({ error: 'not_found', message: 'no such message on this ticket' });
    const html = p.data.part === 'html';
    const blobId = html ? message.htmlBlobId : message.textBlobId;
    const type = html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
    res.set({
      'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; sandbox",
      ...(html ? { 'Content-Disposition': 'attachment; filename="body.html"' } : {}),
    });
    if (!blobId) {
      const inline = html ? message.html : message.text;
      if (inline === undefined) return res.status(404).json({ error: 'not_found', message: `the message has no ${p.data.part} body` });
      return res.send(inline);
    }
    const stream = await repos.blobs.get(blobId);
    // A failing read after the headers went out can only cut the response; before, it is a 500.
    stream.once('error', (err) => (res.headersSent ? res.destroy(err) : next(err)));
    stream.pipe(res);
  });
  return router;
}
