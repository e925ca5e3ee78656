/** zod schemas of agent accounts and tokens in the API: request validation and the OpenAPI document both use them. */
import { z } from 'zod';
import { AGENT_ROLES, LOCALES, MIN_PASSWORD_LENGTH, TIERS, type Agent, type ApiTokenRecord } from '../core/index.ts';

export const email = z.string().trim().max(320).email();
export const password = z.string().min(MIN_PASSWORD_LENGTH).max(1024);
const notifications = z.object({
  newTickets: z.boolean().optional().describe('new tickets in my tier, and tickets escalated to it'),
  assignments: z.boolean().optional(),
  customerReplies: z.boolean().optional(),
}).strict();
const displayName = z.string().trim().min(1).max(100);

export const agentId = z.object({ id: z.string().regex(/^ag_[a-z0-9]{1,40}$/) });
export const tokenId = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{16,32}$/) });

export const newAgentBody = z.object({
  email, displayName,
  role: z.enum(AGENT_ROLES).default('agent'),
  tier: z.enum(TIERS).default('L1'),
  language: z.enum(LOCALES).default('en'),
  notifications: notifications.optional(),
  /** Absent: a password is generated and returned once. */
  password: password.optional(),
}).strict();

export const agentChangeBody = z.object({
  displayName: displayName.optional(),
  role: z.enum(AGENT_ROLES).optional(),
  tier: z.enum(TIERS).optional(),
  language: z.enum(LOCALES).optional(),
  notifications: notifications.optional(),
  disabled: z.boolean().optional(),
  password: password.optional(),
}).strict().refine((b) => Object.keys(b).length > 0, 'nothing to change');

/** What an agent may change on their own account. */
export const ownChangeBody = z.object({
  displayName: displayName.optional(),
  language: z.enum(LOCALES).optional(),
  notifications: notifications.optional(),
}).strict().refine((b) => Object.keys(b).length > 0, 'nothing to change');

export const loginBody = z.object({ email, password: z.string().min(1).max(1024) }).strict();
export const tokenBody = z.object({ name: z.string().trim().min(1).max(100) }).strict();

export const agentView = z.object({
  id: z.string(), email: z.string(), displayName: z.string(), role: z.enum(AGENT_ROLES), tier: z.enum(TIERS), language: z.enum(LOCALES),
  notifications: z.object({ newTickets: z.boolean(), assignments: z.boolean(), customerReplies: z.boolean() }),
  disabled: z.boolean(), createdAt: z.string(), updatedAt: z.string(),
});
export const tokenView = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });
export const sessionView = z.object({
  agent: agentView.nullable(), role: z.enum(AGENT_ROLES), via: z.enum(['admin-token', 'api-token', 'session']),
  csrfToken: z.string().nullable().describe('send it in X-CSRF-Token with every cookie-authenticated change'),
});

export function presentAgent(a: Agent): z.infer<typeof agentView> {
  return {
    id: a.id, email: a.email, displayName: a.displayName, role: a.role, tier: a.tier, language: a.language,
    notifications: a.notifications, disabled: a.disabled, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(),
  };
}

export function presentToken(t: ApiTokenRecord): z.infer<typeof tokenView> {
  return { id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null };
}
