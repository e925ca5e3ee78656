import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** A check of `Authorization: Bearer <token>`, compared in constant time. */
export function bearerCheck(token: string): (req: Request) => boolean {
  const expected = digest(token);
  return (req) => {
    const header = req.get('authorization') ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
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
