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
  return agentOfSession(socket.request.headers.cookie, auth.csrfToken, agents, cookies);
}

/** The session's agent when the cookie names a live session and the CSRF token is that session's. */
function agentOfSession(cookieHeader: string | undefined, csrfToken: unknown, agents: AgentDirectory, cookies: SessionCookies): Promise<Agent | null> {
  const sessionId = cookieValue(cookieHeader, SESSION_COOKIE);
  if (!sessionId || typeof csrfToken !== 'string' || !same(csrfToken, cookies.csrfToken(sessionId))) return Promise.resolve(null);
  return agents.agentOfSession(sessionId);
}

/**
 * Whether a socket comes from the console's own page: its Origin is the gateway's public origin
 * (PUBLIC_URL), or that of the host the browser connected to. A page of another site can make a
 * browser open a socket to us, but its Origin names that other site.
 */
export function fromConsoleOrigin(origin: string | undefined, host: string | undefined, publicOrigin: string): boolean {
  if (!origin) return false;
  if (origin === publicOrigin) return true;
  try {
    const url = new URL(origin);
    return Boolean(host) && url.host === host && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
  } catch {
    return false;
  }
}

/**
 * The agent of a cookie-authenticated socket on another namespace (the chat's `/agents`): the same
 * session and CSRF checks as `/console`, and the Origin must be the console's.
 */
export function agentOfConsoleSession(
  handshake: { cookie?: string; csrfToken?: string; origin?: string; host?: string },
  agents: AgentDirectory, cookies: SessionCookies, publicOrigin: string,
): Promise<Agent | null> {
  if (!fromConsoleOrigin(handshake.origin, handshake.host, publicOrigin)) return Promise.resolve(null);
  return agentOfSession(handshake.cookie, handshake.csrfToken, agents, cookies);
}
