/**
 * The express app: health probes, metrics, the agent API behind the admin token, the routes the
 * channels mounted, JSON errors. The composition root passes in everything it needs (no database
 * models: the API reads through repositories and acts through TicketActions).
 */
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { ErrorCodes, isTransient, type HtmlDisplay, type Logger, type Repositories, type TicketActions } from '../core/index.ts';
import { requireAdminToken } from './auth.middleware.ts';
import { healthRoutes, type ReadinessProbe } from './health.routes.ts';
import { messageBodyRoutes } from './message-body.routes.ts';
import { metricsRoutes, type MetricsSource } from './metrics.routes.ts';
import { ticketRoutes } from './tickets.routes.ts';

export interface HttpDeps {
  repos: Repositories;
  actions: TicketActions;
  displayHtml: HtmlDisplay;
  adminToken: string;
  publicUrl: string;
  readiness: ReadinessProbe;
  logger: Logger;
  /** GET /metrics, when enabled; `token` protects it. */
  metrics?: { source: MetricsSource; token?: string | undefined };
  /** Routes the channels mounted (web form pages, chat endpoints). */
  channelRoutes?: Router;
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(healthRoutes(deps.readiness, deps.adminToken));
  if (deps.metrics) app.use(metricsRoutes(deps.metrics.source, deps.metrics.token));
  // Channel routes first: their public endpoints (/api/v1/chat/visitors, /api/v1/forms/submit)
  // carry their own checks and must not meet the agent API's bearer check below.
  if (deps.channelRoutes) app.use(deps.channelRoutes);
  app.use('/api/v1', requireAdminToken(deps.adminToken), ticketRoutes({
    repos: deps.repos, actions: deps.actions, displayHtml: deps.displayHtml, baseUrl: deps.publicUrl.replace(/\/$/, ''), logger: deps.logger,
  }));
  app.use('/api/v1', requireAdminToken(deps.adminToken), messageBodyRoutes(deps.repos));
  app.use((_req, res) => { res.status(404).json({ error: 'not_found' }); });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    if ((err as { code?: string })?.code === ErrorCodes.NOT_FOUND) {
      res.status(404).json({ error: 'not_found', message: (err as Error).message });
      return;
    }
    if ((err as { code?: string })?.code === ErrorCodes.MALFORMED) {
      res.status(409).json({ error: 'conflict', message: (err as Error).message });
      return;
    }
    deps.logger.error({ err }, 'http request failed');
    const transient = isTransient(err);
    res.status(transient ? 503 : 500).json({ error: transient ? 'unavailable' : 'internal_error' });
  };
  app.use(onError);
  return app;
}
