/**
 * Signing in and out, the caller's own account, and personal API tokens. Logins are throttled per
 * address and client: past the limit of failures the answer is 429 until the window passes, even
 * for the right password.
 */
import { z } from 'zod';
import type { AgentDirectory, LoginThrottle } from '../core/index.ts';
import {
  loginBody, ownChangeBody, presentAgent, presentToken, sessionView, tokenBody, tokenId, tokenView, agentView,
} from './agent.schemas.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import type { Principal } from './principal.ts';
import type { SessionCookies } from './session-cookie.ts';

export interface AuthRoutesDeps {
  agents: AgentDirectory;
  throttle: LoginThrottle;
  cookies: SessionCookies;
}

const issuedToken = tokenView.extend({ token: z.string().describe('shown once; store it now') });

export function registerAuthRoutes(api: ApiRegistry, { agents, throttle, cookies }: AuthRoutesDeps): void {
  const session = (p: Principal) => ({
    agent: p.agent ? presentAgent(p.agent) : null, role: p.role, via: p.via, csrfToken: p.sessionId ? cookies.csrfToken(p.sessionId) : null,
  });

  api.add({
    method: 'post', path: '/auth/login', operationId: 'login', tag: 'auth', access: 'public', body: loginBody, bodyLimit: '4kb',
    summary: 'Sign in with email and password: sets the HttpOnly session cookie, returns the CSRF token',
    responses: { 200: { description: 'Signed in', schema: sessionView }, 401: { description: 'Wrong address or password (invalid_credentials)' }, 429: { description: 'Too many failed logins (too_many_attempts)' } },
    async handler({ body, req, res }) {
      const key = `${body.email.toLowerCase()}|${req.ip ?? req.socket.remoteAddress ?? ''}`;
      const wait = await throttle.blockedFor(key);
      if (wait > 0) {
        res.status(429).set('Retry-After', String(Math.ceil(wait / 1000)))
          .json({ error: 'too_many_attempts', message: 'too many failed logins; try again later' });
        return;
      }
      const agent = await agents.checkPassword(body.email, body.password);
      if (!agent) {
        await throttle.recordFailure(key);
        res.status(401).json({ error: 'invalid_credentials', message: 'wrong address or password' });
        return;
      }
      await throttle.reset(key);
      const { sessionId, expiresAt } = await agents.startSession(agent.id);
      cookies.set(res, sessionId, expiresAt);
      res.json({ agent: presentAgent(agent), role: agent.role, via: 'session', csrfToken: cookies.csrfToken(sessionId) });
    },
  });

  api.add({
    method: 'post', path: '/auth/logout', operationId: 'logout', tag: 'auth', access: 'agent',
    summary: 'End the console session (the cookie is cleared)',
    responses: { 204: { description: 'Signed out' } },
    async handler({ principal, res }) {
      if (principal.sessionId) await agents.endSession(principal.sessionId);
      cookies.clear(res);
      res.status(204).end();
    },
  });

  api.add({
    method: 'get', path: '/auth/me', operationId: 'me', tag: 'auth', access: 'agent',
    summary: 'Who is signed in, with the CSRF token of a cookie session',
    responses: { 200: { description: 'The caller', schema: sessionView } },
    handler({ principal, res }) { res.json(session(principal)); },
  });

  api.add({
    method: 'patch', path: '/auth/me', operationId: 'updateMe', tag: 'auth', access: 'agent', body: ownChangeBody,
    summary: 'Change your own display name, language or notification settings',
    responses: { 200: { description: 'The changed account', schema: agentView } },
    async handler({ principal, body, res }) {
      if (!principal.agent) return res.status(403).json({ error: 'no_agent_account', message: 'the admin token has no account to change' });
      res.json(presentAgent(await agents.update(principal.agent.id, body)));
    },
  });

  api.add({
    method: 'get', path: '/auth/tokens', operationId: 'listOwnTokens', tag: 'auth', access: 'agent',
    summary: 'Your personal API tokens (never their secrets)',
    responses: { 200: { description: 'Tokens', schema: z.object({ tokens: z.array(tokenView) }) } },
    async handler({ principal, res }) {
      res.json({ tokens: principal.agent ? (await agents.tokensOf(principal.agent.id)).map(presentToken) : [] });
    },
  });

  api.add({
    method: 'post', path: '/auth/tokens', operationId: 'createOwnToken', tag: 'auth', access: 'agent', body: tokenBody,
    summary: 'Issue a personal API token for yourself; its secret is shown this once',
    responses: { 201: { description: 'Issued', schema: issuedToken } },
    async handler({ principal, body, res }) {
      if (!principal.agent) return res.status(403).json({ error: 'no_agent_account', message: 'the admin token has no account; issue tokens through /agents/{id}/tokens' });
      const { token, record } = await agents.issueToken(principal.agent.id, body.name);
      res.status(201).json({ ...presentToken(record), token });
    },
  });

  api.add({
    method: 'delete', path: '/auth/tokens/:id', operationId: 'revokeToken', tag: 'auth', access: 'agent', params: tokenId,
    summary: 'Revoke a token: your own, or anyone\'s as an admin',
    responses: { 204: { description: 'Revoked' } },
    async handler({ principal, params, res }) {
      const record = await agents.token(params.id);
      if (!record || (principal.role !== 'admin' && record.agentId !== principal.agent?.id)) {
        return res.status(404).json({ error: 'not_found', message: 'no such token of yours' });
      }
      await agents.revokeToken(record.id);
      res.status(204).end();
    },
  });
}
