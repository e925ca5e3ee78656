/**
 * The full body of a message whose stored text or HTML is only a preview (bodies over the preview
 * size live in the blob store). HTML is served as a download in a sandbox: it is the raw mail
 * content, never to be rendered in the API's origin.
 */
import type { Repositories } from '../core/index.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import { bodyParams } from './ticket.schemas.ts';

export function registerMessageBodyRoutes(api: ApiRegistry, repos: Repositories): void {
  api.add({
    method: 'get', path: '/tickets/:number/messages/:messageId/body/:part', operationId: 'getMessageBody', tag: 'tickets', access: 'agent',
    params: bodyParams, summary: 'The full text or HTML body of a message whose stored body is a preview',
    responses: { 200: { description: 'The body (HTML as a sandboxed download)', contentType: 'text/plain' } },
    async handler({ params, res, req }) {
      const ticket = await repos.tickets.byNumber(params.number);
      const message = ticket ? (await repos.messages.listByTicket(ticket.id)).find((m) => m.id === params.messageId) : undefined;
      if (!message) return res.status(404).json({ error: 'not_found', message: 'no such message on this ticket' });
      const html = params.part === 'html';
      const blobId = html ? message.htmlBlobId : message.textBlobId;
      const type = html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8';
      res.set({
        'Content-Type': type, 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; sandbox",
        ...(html ? { 'Content-Disposition': 'attachment; filename="body.html"' } : {}),
      });
      if (!blobId) {
        const inline = html ? message.html : message.text;
        if (inline === undefined) return res.status(404).json({ error: 'not_found', message: `the message has no ${params.part} body` });
        return res.send(inline);
      }
      const stream = await repos.blobs.get(blobId);
      // A failing read after the headers went out can only cut the response; before, it is a 500.
      stream.once('error', (err) => (res.headersSent ? res.destroy(err) : req.next?.(err)));
      stream.pipe(res);
    },
  });
}
