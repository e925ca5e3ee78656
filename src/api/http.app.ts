/**
 * The express app: health probes, metrics, the routes the channels mounted, the agent API (every
 * route from one registry, which also serves the OpenAPI document), JSON errors. The composition
 * root passes in everything it needs (no database models: the API reads through repositories and
 * acts through TicketActions and the AgentDirectory).
 */
import cookieParser from 'cookie-parser';
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import {
  ErrorCodes, isTransient, type AgentDirectory, type HtmlDisplay, type KnowledgeBase, type Logger, type ReportSource, type LoginThrottle, type Repositories, type TicketActions,
} from '../core/index.ts';
import { registerAgentRoutes } from './agents.routes.ts';
import { accessGuard } from './auth.middleware.ts';
import { registerAuthRoutes } from './auth.routes.ts';
import { registerContactRoutes } from './contacts.routes.ts';
import { kbPublicRoutes } from './kb-public.routes.ts';
import { registerKbRoutes } from './kb.routes.ts';
import { registerReportRoutes } from './reports.routes.ts';
import { registerResendRoutes } from './resend.routes.ts';
import { healthRoutes, type ReadinessProbe } from './health.routes.ts';
import { registerMessageBodyRoutes } from './message-body.routes.ts';
import { metricsRoutes, type MetricsSource } from './metrics.routes.ts';
import { listRoutes } from './openapi/express-routes.ts';
import { openApiDocument } from './openapi/openapi.document.ts';
import { ApiRegistry } from './openapi/route-registry.ts';
import { registerQueueRoutes } from './queue.routes.ts';
import { registerRuleRoutes } from './rules.routes.ts';
import { SessionCookies } from './session-cookie.ts';
import { registerSlaRoutes, type SlaApi } from './sla.routes.ts';
import { registerTicketRoutes } from './tickets.routes.ts';

export interface HttpDeps {
  repos: Repositories;
  actions: TicketActions;
  knowledge: KnowledgeBase;
  /** Where reports read from, and whether SLA figures exist (SLA enabled). */
  reports: { source: ReportSource; slaAvailable: boolean };
  agents: AgentDirectory;
  loginThrottle: LoginThrottle;
  displayHtml: HtmlDisplay;
  adminToken: string;
  /** Signs the CSRF tokens of console sessions. */
  secret: string;
  publicUrl: string;
  readiness: ReadinessProbe;
  logger: Logger;
  /** GET /metrics, when enabled; `token` protects it. */
  metrics?: { source: MetricsSource; token?: string | undefined };
  /** Routes the channels mounted (web form pages, chat endpoints). */
  channelRoutes?: Router;
  /** The agent console's pages and assets (`/`, `/console`). */
  consoleRoutes?: Router;
  /** SLA due times and policies. */
  sla?: SlaApi;
}

export const API_VERSION = '1.0.0';

/** Every route of /api/v1 in one registry (the OpenAPI document is generated from it). */
export function buildApi(deps: HttpDeps): ApiRegistry {
  const baseUrl = deps.publicUrl.replace(/\/$/, '');
  const cookies = new SessionCookies({ secret: deps.secret, secure: baseUrl.startsWith('https:') });
  const api = new ApiRegistry(accessGuard({ agents: deps.agents, adminToken: deps.adminToken, cookies }));
  registerAuthRoutes(api, { agents: deps.agents, throttle: deps.loginThrottle, cookies });
  registerAgentRoutes(api, deps.agents);
  registerTicketRoutes(api, {
    repos: deps.repos, actions: deps.actions, displayHtml: deps.displayHtml, baseUrl, logger: deps.logger, ...(deps.sla ? { sla: deps.sla } : {}),
  });
  if (deps.sla) registerSlaRoutes(api, { repos: deps.repos, sla: deps.sla });
  registerMessageBodyRoutes(api, deps.repos);
  registerResendRoutes(api, deps.actions);
  registerContactRoutes(api, deps.repos);
  registerQueueRoutes(api, { repos: deps.repos, agents: deps.agents });
  registerRuleRoutes(api, { repos: deps.repos, now: () => new Date() });
  registerKbRoutes(api, { kb: deps.knowledge, repos: deps.repos });
  registerReportRoutes(api, deps.reports);
  api.add({
    method: 'get', path: '/openapi.json', operationId: 'openApiDocument', tag: 'meta', access: 'public',
    summary: 'This document', responses: { 200: { description: 'The OpenAPI 3.1 document', contentType: 'application/json' } },
    handler({ res }) {
      // Channels mount after the app is built: their /api/v1 routes are looked up per request.
      const channelRoutes = listRoutes(deps.channelRoutes).filter((r) => r.path.startsWith('/api/v1/'))
        .map((r) => ({ ...r, path: r.path.slice('/api/v1'.length) }));
      res.json(openApiDocument(api.routes, { version: API_VERSION, serverUrl: `${baseUrl}/api/v1` }, channelRoutes));
    },
  });
  return api;
}

export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(healthRoutes(deps.readiness, deps.adminToken));
  if (deps.metrics) app.use(metricsRoutes(deps.metrics.source, deps.metrics.token));
  // Channel routes first: their public endpoints (/api/v1/chat/visitors, /api/v1/forms/submit)
  // carry their own checks; the agent API guards each of its own routes.
  if (deps.channelRoutes) app.use(deps.channelRoutes);
  app.use(kbPublicRoutes(deps.knowledge));
  app.use('/api/v1', cookieParser(), buildApi(deps).router);
  if (deps.consoleRoutes) app.use(deps.consoleRoutes);
  app.use((_req, res) => { res.status(404).json({ error: 'not_found', message: 'no such route' }); });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const code = (err as { code?: string })?.code;
    if (code === ErrorCodes.NOT_FOUND) return res.status(404).json({ error: 'not_found', message: (err as Error).message });
    if (code === ErrorCodes.MALFORMED || code === ErrorCodes.CONFLICT) return res.status(409).json({ error: 'conflict', message: (err as Error).message });
    if (code === ErrorCodes.INVALID) return res.status(400).json({ error: 'invalid_request', message: (err as Error).message });
    // express.json: unparsable or oversized bodies.
    const status = (err as { status?: number; type?: string })?.status;
    if (status === 400 || status === 413) {
      return res.status(status).json({ error: status === 413 ? 'payload_too_large' : 'invalid_json', message: (err as Error).message });
    }
    deps.logger.error({ err }, 'http request failed');
    const transient = isTransient(err);
    res.status(transient ? 503 : 500).json({ error: transient ? 'unavailable' : 'internal_error', message: transient ? 'try again later' : 'internal error' });
  };
  app.use(onError);
  return app;
}
