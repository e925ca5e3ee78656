import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { AgentDirectory } from '../core/index.ts';
import type { Access } from './openapi/route-registry.ts';
import { ADMIN_TOKEN_PRINCIPAL, principalOf, setPrincipal, type Principal } from './principal.ts';
import type { SessionCookies } from './session-cookie.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

const bearerOf = (req: Request) => /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '')?.[1]?.trim();

/** A check of `Authorization: Bearer <token>`, compared in constant time. */
export function bearerCheck(token: string): (req: Request) => boolean {
  const expected = digest(token);
  return (req) => {
    const given = bearerOf(req);
    return Boolean(given && timingSafeEqual(digest(given), expected));
  };
}

/** `Authorization: Bearer <token>` (ADMIN_TOKEN unless named otherwise); 401 otherwise. */
export function requireAdminToken(token: string, name = 'ADMIN_TOKEN'): RequestHandler {
  const authorized = bearerCheck(token);
  return (req, res, next) => {
    if (authorized(req)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: `Authorization: Bearer <${name}> required` });
  };
}

export interface AuthDeps {
  agents: AgentDirectory;
  adminToken: string;
  cookies: SessionCookies;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function unauthorized(res: Response, message: string): void {
  res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message });
}

/**
 * Who is calling: the admin token, a personal API token (`hdp_…`), or the console's session
 * cookie. A bearer header that is none of ours fails outright (never falls back to the cookie);
 * a cookie request that changes something must carry the session's CSRF token.
 */
export function authenticate(deps: AuthDeps): (req: Request, res: Response) => Promise<Principal | null> {
  const isAdminToken = bearerCheck(deps.adminToken);
  return async (req, res) => {
    const bearer = bearerOf(req);
    if (bearer) {
      if (isAdminToken(req)) return ADMIN_TOKEN_PRINCIPAL;
      const agent = AgentDirectory.looksLikeToken(bearer) ? await deps.agents.agentOfToken(bearer) : null;
      if (!agent) unauthorized(res, 'the bearer token is not valid (unknown, revoked, or its agent disabled)');
      return agent ? principalOf(agent, 'api-token') : null;
    }
    const sessionId = deps.cookies.read(req);
    const agent = sessionId ? await deps.agents.agentOfSession(sessionId) : null;
    if (!sessionId || !agent) {
      unauthorized(res, 'sign in (POST /api/v1/auth/login) or send Authorization: Bearer <token>');
      return null;
    }
    if (!SAFE_METHODS.has(req.method) && !deps.cookies.csrfValid(req, sessionId)) {
      res.status(403).json({ error: 'csrf_failed', message: 'a signed-in request that changes something needs the X-CSRF-Token header' });
      return null;
    }
    return principalOf(agent, 'session', sessionId);
  };
}

/** The middleware for a route of the given access: authenticates, then checks the role. */
export function accessGuard(deps: AuthDeps): (access: Access) => RequestHandler[] {
  const identify = authenticate(deps);
  const guard = (access: Access): RequestHandler => async (req, res, next) => {
    const principal = await identify(req, res);
    if (!principal) return;
    if (access === 'admin' && principal.role !== 'admin') {
      res.status(403).json({ error: 'forbidden', message: 'this needs the admin role' });
      return;
    }
    setPrincipal(res, principal);
    next();
  };
  return (access) => (access === 'public' ? [] : [guard(access)]);
}
