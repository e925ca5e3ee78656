/**
 * Who is on the other end of a console socket: the same credentials as the API. A browser brings
 * its HttpOnly session cookie and, in the handshake's `auth`, the session's CSRF token (a page of
 * another site can open a socket to us but never learn that token); a script brings a personal
 * API token as `auth.token`. Disabled agents, ended sessions and revoked tokens are refused.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'socket.io';
import { AgentDirectory, type Agent } from '../core/index.ts';
import { SESSION_COOKIE, type SessionCookies } from '../api/session-cookie.ts';

/** The value of one cookie in a Cookie header (cookie values we set are base64url: no decoding). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').slice(0, 8192).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function agentOfSocket(socket: Socket, agents: AgentDirectory, cookies: SessionCookies): Promise<Agent | null> {
  const auth = (socket.handshake.auth ?? {}) as { token?: unknown; csrfToken?: unknown };
  if (typeof auth.token === 'string') {
    return AgentDirectory.looksLikeToken(auth.token) ? agents.agentOfToken(auth.token) : null;
  }
  const sessionId = cookieValue(socket.request.headers.cookie, SESSION_COOKIE);
  if (!sessionId || typeof auth.csrfToken !== 'string' || !same(auth.csrfToken, cookies.csrfToken(sessionId))) return null;
  return agents.agentOfSession(sessionId);
}
