/** Who is calling the API, as the auth guard found out, and what it may do. */
import type { Response } from 'express';
import type { Actor, Agent, AgentRole } from '../core/index.ts';

export interface Principal {
  role: AgentRole;
  /** How the TicketActions audit trail names the caller. */
  actor: Actor;
  /** The agent's account; absent for the admin token, which belongs to no one. */
  agent?: Agent;
  via: 'admin-token' | 'api-token' | 'session';
  /** The raw session id, for logout (session callers only). */
  sessionId?: string;
}

/** The admin token acts as one API agent with the admin role (automation). */
export const ADMIN_TOKEN_PRINCIPAL: Principal = { role: 'admin', actor: { id: 'agent:api' }, via: 'admin-token' };

export function principalOf(agent: Agent, via: Principal['via'], sessionId?: string): Principal {
  return { role: agent.role, actor: { id: `agent:${agent.id}`, name: agent.displayName }, agent, via, ...(sessionId ? { sessionId } : {}) };
}

export function setPrincipal(res: Response, principal: Principal): void {
  res.locals.principal = principal;
}

export function getPrincipal(res: Response): Principal {
  return res.locals.principal as Principal;
}
