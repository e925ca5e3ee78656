/**
 * The console's session cookie and its CSRF token. The cookie is HttpOnly (no script reads it),
 * SameSite=Strict (no other site's request carries it), Secure on an https public URL. The CSRF
 * token is an HMAC of the session id under the server secret: the page gets it from the login (or
 * GET /auth/me) answer and sends it in `X-CSRF-Token` with every request that changes something,
 * which a cross-site form or image cannot do.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';

export const SESSION_COOKIE = 'helpdesk_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionCookieSettings {
  secret: string;
  secure: boolean;
}

export class SessionCookies {
  constructor(private readonly settings: SessionCookieSettings) {}

  private options(): CookieOptions {
    return { httpOnly: true, sameSite: 'strict', secure: this.settings.secure, path: '/' };
  }

  set(res: Response, sessionId: string, expiresAt: Date): void {
    res.cookie(SESSION_COOKIE, sessionId, { ...this.options(), expires: expiresAt });
  }

  clear(res: Response): void {
    res.clearCookie(SESSION_COOKIE, this.options());
  }

  read(req: Request): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    return typeof value === 'string' && value ? value : undefined;
  }

  csrfToken(sessionId: string): string {
    return createHmac('sha256', this.settings.secret).update(`csrf:${sessionId}`).digest('base64url');
  }

  csrfValid(req: Request, sessionId: string): boolean {
    const given = Buffer.from(req.get(CSRF_HEADER) ?? '');
    const expected = Buffer.from(this.csrfToken(sessionId));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
