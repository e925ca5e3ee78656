/**
 * CSRF protection for the HTML pages (csrf-csrf's signed double-submit cookie). The token is
 * bound to a random per-browser id cookie, since the form has no login session. Behind HTTPS the
 * cookies are SameSite=None; Secure so an embedded form (a third-party iframe) keeps them.
 */
import { randomBytes } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, Response } from 'express';
import type { TokenKeys } from '../../src/core/index.ts';

const SID_COOKIE = 'hd_form_sid';

export interface Csrf {
  /** A token for the page being served (sets the cookies it needs). */
  token(req: Request, res: Response): string;
  /** Whether the submitted `_csrf` field matches this browser's cookie. */
  valid(req: Request, fields: Record<string, unknown>): boolean;
}

export function createCsrf(keys: TokenKeys, publicUrl: string): Csrf {
  const secure = publicUrl.startsWith('https:');
  const cookie = { sameSite: secure ? 'none' as const : 'lax' as const, secure, path: '/support', httpOnly: true };
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => keys.keys.map((k) => `webform-csrf:${k.secret}`),
    getSessionIdentifier: (req) => String((req.cookies as Record<string, string> | undefined)?.[SID_COOKIE] ?? ''),
    cookieName: 'hd_form_csrf',
    cookieOptions: cookie,
    getCsrfTokenFromRequest: (req) => {
      const value = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof value === 'string' ? value : undefined;
    },
  });
  return {
    token(req, res) {
      const cookies = (req.cookies ?? {}) as Record<string, string>;
      if (!cookies[SID_COOKIE]) {
        const sid = randomBytes(16).toString('base64url');
        res.cookie(SID_COOKIE, sid, cookie);
        cookies[SID_COOKIE] = sid; // the token below is bound to it already
        req.cookies = cookies;
      }
      return generateCsrfToken(req, res, { overwrite: true });
    },
    valid(req, fields) {
      req.body = fields;
      try {
        return validateRequest(req);
      } catch {
        return false;
      }
    },
  };
}
