import { Router } from 'express';
import type { ChannelHealth } from '../core/index.ts';
import { bearerCheck } from './auth.middleware.ts';

export type ReadinessProbe = () => Promise<Record<string, ChannelHealth>>;

/**
 * /healthz: the process is alive. /readyz: the database and every enabled channel are up, from
 * cached channel state (no mail server session per call). Anyone gets `{ ok }` and the status
 * code; which part is down and why (host names, server answers) only with the admin token.
 */
export function healthRoutes(probe: ReadinessProbe, adminToken: string): Router {
  const router = Router();
  const isAdmin = bearerCheck(adminToken);
  router.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  router.get('/readyz', async (req, res) => {
    const checks = await probe();
    const down = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
    res.status(down.length ? 503 : 200).json(isAdmin(req) ? { ok: down.length === 0, down, checks } : { ok: down.length === 0 });
  });
  return router;
}
