/** zod schemas of the ticket routes: request validation and the OpenAPI document both use them. */
import { z } from 'zod';
import { PRIORITIES, TICKET_STATUSES, TIERS } from '../core/index.ts';

const CHANNELS = ['email', 'chat', 'webform'] as const;
/** Subject search text: capped here, before anything builds a pattern from it (and escaped there). */
export const MAX_SUBJECT_SEARCH = 100;

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.coerce.number().int().min(1).optional().describe('nextCursor of the previous page'),
  status: z.enum(TICKET_STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  assignee: z.string().regex(/^(me|none|[A-Za-z0-9_:-]{1,100})$/).optional().describe('an agent id, `me`, or `none` (unassigned)'),
  tier: z.enum(TIERS).optional(),
  priority: z.enum(PRIORITIES).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  requester: z.string().trim().min(1).max(320).optional().describe('a contact id, or an email address'),
  q: z.string().trim().min(1).max(MAX_SUBJECT_SEARCH).optional().describe('text in the subject (case-insensitive, literal)'),
}).strict();

export const ticketParam = z.object({ number: z.coerce.number().int().min(1) }).strict();
/** `remoteImages=1` loads the remote images of displayed HTML (blocked by default: tracking pixels). */
export const ticketQuery = z.object({ remoteImages: z.enum(['0', '1', 'true', 'false']).optional() }).strict();
export const attachmentParam = ticketParam.extend({ blobId: z.string().regex(/^[a-z0-9-]{1,100}$/) }).strict();
export const bodyParams = ticketParam.extend({
  messageId: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  part: z.enum(['text', 'html']),
}).strict();

export const messageParams = ticketParam.extend({ messageId: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/) }).strict();

export const changeBody = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  category: z.string().trim().min(1).max(100).nullable().optional(),
  assigneeId: z.string().trim().min(1).max(100).nullable().optional(),
}).strict().refine((b) => Object.keys(b).length > 0, 'nothing to change');
export const escalateBody = z.object({ tier: z.enum(TIERS), reason: z.string().trim().min(1).max(2000) }).strict();
export const textBody = z.object({
  text: z.string().trim().min(1).max(100_000),
  /** Makes a retried request store one message; generated when absent. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).optional().describe('makes a retried request store one message'),
}).strict();

const identity = z.object({ kind: z.enum(['email', 'chat', 'site']), value: z.string() });
export const requesterView = z.object({ id: z.string(), name: z.string().nullable(), emails: z.array(z.string()), identities: z.array(identity) });
export const ticketView = z.looseObject({
  number: z.number(), subject: z.string(), status: z.enum(TICKET_STATUSES), priority: z.enum(PRIORITIES), channel: z.enum(CHANNELS),
  locale: z.string(), flags: z.array(z.string()), createdAt: z.string(), updatedAt: z.string(), lastMessageAt: z.string(),
  closedAt: z.string().nullable(), linkedTickets: z.array(z.number()), category: z.string().nullable(),
  assigneeId: z.string().nullable(), tier: z.enum(TIERS).nullable(), tags: z.array(z.string()), requester: requesterView.nullable(),
});
export const deliveryView = z.object({
  channel: z.enum(CHANNELS).describe('what carries it: a live chat message, or a mail'),
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'undelivered']), attempts: z.number(), lastError: z.string().nullable(),
  sentAt: z.string().nullable(), bounce: z.unknown(), resends: z.number().describe('how often an agent sent it again after it failed'),
});
export const messageView = z.looseObject({
  id: z.string(), author: z.string(), direction: z.enum(['inbound', 'outbound']), channel: z.enum(CHANNELS),
  internal: z.boolean(), text: z.string(), visibleText: z.string(), html: z.string().nullable(), createdAt: z.string(),
  delivery: deliveryView.optional(),
  attachments: z.array(z.looseObject({ filename: z.string(), contentType: z.string(), size: z.number(), url: z.string() })),
});

export const contactLookupQuery = z.object({
  email: z.string().trim().max(320).email().optional(),
  identity: z.string().regex(/^(email|chat|site):.{1,300}$/).optional().describe('`kind:value`, e.g. chat:v_123'),
}).strict().refine((q) => Boolean(q.email) !== Boolean(q.identity), 'give exactly one of email, identity');
export const contactParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) }).strict();
export const contactView = requesterView.extend({ tickets: z.array(ticketView) });
