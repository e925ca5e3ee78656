/**
 * GET /metrics in the Prometheus text format. Mounted only when metrics are enabled; with a token
 * configured a scrape needs `Authorization: Bearer <METRICS_TOKEN>` (Prometheus: `authorization`
 * in the scrape config), without one it is open, for a network where only Prometheus reaches it.
 */
import { Router } from 'express';
import { requireAdminToken } from './auth.middleware.ts';

export interface MetricsSource {
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function metricsRoutes(source: MetricsSource, token?: string): Router {
  const router = Router();
  const guard = token ? [requireAdminToken(token, 'METRICS_TOKEN')] : [];
  router.get('/metrics', ...guard, async (_req, res) => {
    const { contentType, body } = await source.scrape();
    res.set('content-type', contentType).send(body);
  });
  return router;
}
