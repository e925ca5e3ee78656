/**
 * POST /api/v1/chat/visitors: issues a visitor token, or resumes one (`{ visitorToken }`). A
 * `identity` counts only when its signature is the site's HMAC of the email; otherwise it is
 * ignored and the chat stays anonymous. Cross-origin calls are answered for allowed origins only.
 */
import express, { type ErrorRequestHandler, type Request, type Response, type Router } from 'express';
import { ChatErrorCodes, visitorRequest } from './chat.events.ts';
import type { ChatSites } from './chat-sites.ts';
import { VisitorTokens, verifySiteIdentity, type VisitorClaims } from './visitor-token.ts';

export const VISITORS_PATH = '/api/v1/chat/visitors';

function allowCors(req: Request, res: Response): void {
  const origin = req.get('origin');
  if (!origin) return;
  res.set('Access-Control-Allow-Origin', origin);
  res.set('Vary', 'Origin');
  res.set('Access-Control-Allow-Methods', 'POST');
  res.set('Access-Control-Allow-Headers', 'Content-Type');
  res.set('Access-Control-Max-Age', '600');
}

export function visitorsRoute(sites: ChatSites, tokens: VisitorTokens): Router {
  const router = express.Router();
  // Preflight: any origin may ask; the POST itself is refused unless the origin is the site's.
  router.options(VISITORS_PATH, (req, res) => { allowCors(req, res); res.status(204).end(); });
  router.post(VISITORS_PATH, express.json({ limit: '8kb' }), (req, res) => {
    const parsed = visitorRequest.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: ChatErrorCodes.INVALID_PAYLOAD, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
      return;
    }
    const body = parsed.data;
    const verdict = sites.check(body.siteKey, req.get('origin'));
    if (!verdict.ok) {
      res.status(verdict.code === 'unknown-site' ? 404 : 403).json({ error: verdict.code });
      return;
    }
    allowCors(req, res);
    const held = body.visitorToken ? tokens.verify(body.visitorToken) : null;
    if (body.visitorToken && (!held || held.siteKey !== body.siteKey)) {
      res.status(401).json({ error: ChatErrorCodes.UNAUTHORIZED, message: 'visitor token is not valid for this site' });
      return;
    }
    const identity = body.identity && verifySiteIdentity(verdict.site.identitySecret, body.identity.email, body.identity.signature)
      ? { email: body.identity.email.trim().toLowerCase(), ...(body.identity.name ? { name: body.identity.name } : {}) }
      : undefined;
    const locale = body.locale ?? held?.locale;
    const claims: VisitorClaims = {
      visitorId: held?.visitorId ?? VisitorTokens.newVisitorId(), siteKey: body.siteKey,
      ...(locale ? { locale } : {}),
      // A resumed token keeps its verified identity unless the site signs a new one.
      ...(identity ?? (held?.email ? { email: held.email, ...(held.name ? { name: held.name } : {}) } : {})),
    };
    res.status(held ? 200 : 201).json({ visitorToken: tokens.sign(claims), visitorId: claims.visitorId, verified: Boolean(claims.email) });
  });
  // A body that is not JSON, or too big, is the client's mistake: say so with the stable code.
  const badBody: ErrorRequestHandler = (err, _req, res, next) => {
    const status = (err as { status?: number }).status;
    if (!status || status >= 500) { next(err); return; }
    res.status(status).json({ error: ChatErrorCodes.INVALID_PAYLOAD, message: (err as Error).message });
  };
  router.use(VISITORS_PATH, badBody);
  return router;
}
