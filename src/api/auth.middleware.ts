import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `Authorization: Bearer <token>` (ADMIN_TOKEN unless named otherwise); 401 otherwise. Compared in constant time. */
export function requireAdminToken(token: string, name = 'ADMIN_TOKEN'): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (given && timingSafeEqual(digest(given), expected)) return next();
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'unauthorized', message: `Authorization: Bearer <${name}> required` });
  };
}
