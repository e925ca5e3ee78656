import { Router } from 'express';
import type { ChannelHealth } from '../core/index.ts';

export type ReadinessProbe = () => Promise<Record<string, ChannelHealth>>;

/** /healthz: the process is alive. /readyz: the database and every enabled channel are up. */
export function healthRoutes(probe: ReadinessProbe): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  router.get('/readyz', async (_req, res) => {
    const checks = await probe();
    const down = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
    res.status(down.length ? 503 : 200).json({ ok: down.length === 0, down, checks });
  });
  return router;
}
