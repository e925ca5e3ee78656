/** The express app: health probes, the agent API behind the admin token, JSON errors. */
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger, Repositories } from '../../core/index.ts';
import { requireAdminToken } from '../../api/auth.middleware.ts';
import { healthRoutes, type ReadinessProbe } from '../../api/health.routes.ts';
import { messageBodyRoutes } from '../../api/message-body.routes.ts';
import { metricsRoutes, type MetricsSource } from '../../api/metrics.routes.ts';
import { ticketRoutes } from '../../api/tickets.routes.ts';
import type { Models } from '../mongo/models.ts';

export interface HttpDeps {
  models: Models;
  repos: Repositories;
  adminToken: string;
  publicUrl: string;
  readiness: ReadinessProbe;
  logger: Logger;
  /** GET /metrics, when enabled; `token` protects it. */
  metrics?: { source: MetricsSource; token?: string | undefined };
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(healthRoutes(deps.readiness, deps.adminToken));
  if (deps.metrics) app.use(metricsRoutes(deps.metrics.source, deps.metrics.token));
  app.use('/api/v1', requireAdminToken(deps.adminToken), ticketRoutes(deps.models, deps.repos, deps.publicUrl.replace(/\/$/, ''), deps.logger));
  app.use('/api/v1', requireAdminToken(deps.adminToken), messageBodyRoutes(deps.repos));
  app.use((_req, res) => { res.status(404).json({ error: 'not_found' }); });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    deps.logger.error({ err }, 'http request failed');
    const transient = /buffering timed out|ECONNREFUSED|MongoNetwork|ServerSelection/i.test(String(err?.message ?? err?.name));
    res.status(transient ? 503 : 500).json({ error: transient ? 'unavailable' : 'internal_error' });
  };
  app.use(onError);
  return app;
}
