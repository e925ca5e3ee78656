/**
 * Resending a delivery that failed for good (the customer's mail server refused it, retries ran
 * out): queued once more through TicketActions, audited. A second request while it is on its way
 * changes nothing; a delivered message is never sent twice (409).
 */
import { z } from 'zod';
import type { TicketActions } from '../core/index.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import { presentDelivery } from './ticket.presenter.ts';
import { deliveryView, messageParams } from './ticket.schemas.ts';

/** The stable error codes of a refused resend. */
const REFUSALS = {
  'already-sent': { error: 'already_sent', message: 'this message was delivered; it is not sent twice' },
  'not-resendable': { error: 'not_resendable', message: 'only a failed delivery of a message we sent can be resent' },
} as const;

export function registerResendRoutes(api: ApiRegistry, actions: TicketActions): void {
  api.add({
    method: 'post', path: '/tickets/:number/messages/:messageId/resend', operationId: 'resendMessage', tag: 'tickets', access: 'agent',
    params: messageParams,
    summary: 'Send a failed delivery again (once: a repeat while it is queued changes nothing; a delivered message is refused with 409)',
    responses: {
      202: {
        description: '`requeued`: queued again now; `already-queued`: it is already on its way (nothing changed)',
        schema: z.object({ outcome: z.enum(['requeued', 'already-queued']), delivery: deliveryView }),
      },
      409: {
        description: '`already_sent`: it was delivered; `not_resendable`: nothing of ours carries it (a customer\'s message, a note, a chat line the visitor missed)',
        schema: z.object({ error: z.enum(['already_sent', 'not_resendable']), message: z.string() }),
      },
    },
    async handler({ params, principal, res }) {
      const result = await actions.resend(params.number, params.messageId, principal.actor);
      if (result.outcome === 'already-sent' || result.outcome === 'not-resendable') return res.status(409).json(REFUSALS[result.outcome]);
      res.status(202).json({ outcome: result.outcome, delivery: presentDelivery(result.delivery) });
    },
  });
}
