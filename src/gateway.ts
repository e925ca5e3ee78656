/**
 * The gateway: the core (core.composition.ts) on a database connection, plus the one HTTP server
 * with its express app and socket.io server that channels mount onto. `main.ts` runs it as a
 * process; tests run it in process.
 */
import { createServer, type Server } from 'node:http';
import express from 'express';
import type { Connection } from 'mongoose';
import { Server as SocketServer } from 'socket.io';
import type { AppConfig } from '../config/index.ts';
import { displayHtml, type ChannelWebSurface } from '../channels/index.ts';
import { createHttpApp } from './api/http.app.ts';
import { consoleRoutes } from './console/console.routes.ts';
import { attachLiveFeed } from './console/live-feed.namespace.ts';
import { buildCore, type Core } from './core.composition.ts';
import { meteredSink, noMetrics, type ChannelHealth, type Clock, type IngestService, type Logger } from './core/index.ts';
import { createLoginThrottle } from './infra/auth/login-throttle.ts';
import { connectMongo, pingMongo } from './infra/db/mongo.connection.ts';
import { PrometheusMetrics } from './infra/metrics/prometheus.metrics.ts';
import { mongoQueueProbe } from './infra/metrics/queue.probe.ts';

export { buildChannels, buildCore, messageIdDomain, TEMPLATES_DIR, tokenKeys } from './core.composition.ts';

export interface Gateway extends Core {
  config: AppConfig;
  conn: Connection;
  /** Starts channels, the outbox dispatcher and (unless listen=false) the HTTP server. */
  start(options?: { listen?: boolean }): Promise<void>;
  stop(): Promise<void>;
  readiness(): Promise<Record<string, ChannelHealth>>;
  httpPort(): number | undefined;
  /** The socket.io server channels mounted on, once listening. */
  io(): SocketServer | undefined;
}

export interface GatewayOptions {
  /** Adapters to run beside the registry's, e.g. a test channel. */
  extraChannels?: Core['adapters'];
  /** The time the core sees (tests drive SLA timers with a fake clock). */
  clock?: Clock;
}

export async function createGateway(config: AppConfig, uri: string, logger: Logger, options: GatewayOptions = {}): Promise<Gateway> {
  const conn = await connectMongo(uri, config.database.dbName, config.database);
  const metrics = config.metrics.enabled ? new PrometheusMetrics(mongoQueueProbe(conn)) : undefined;
  const core = await buildCore(config, conn, logger, metrics, options.extraChannels, options.clock);
  let server: Server | undefined;
  let io: SocketServer | undefined;
  let stopFeed: (() => void) | undefined;
  const loginThrottle = createLoginThrottle({
    maxFailures: config.auth.loginMaxFailures, windowMs: config.auth.loginWindowMs, redisUrl: config.redisUrl,
  }, logger.child({ component: 'auth' }));

  // Queue and send promptly: kick the dispatcher after every stored message.
  const sink = meteredSink({
    ingest: async (m: Parameters<IngestService['ingest']>[0]) => {
      const result = await core.ingest.ingest(m);
      if (result.outcome === 'created' || result.outcome === 'appended') core.dispatcher.kick();
      return result;
    },
    quarantine: core.ingest.quarantine.bind(core.ingest),
  }, metrics ?? noMetrics);

  async function readiness(): Promise<Record<string, ChannelHealth>> {
    const checks: Record<string, ChannelHealth> = {
      database: (await pingMongo(conn)) ? { ok: true, detail: 'ping ok' } : { ok: false, detail: 'database unreachable' },
    };
    for (const channel of core.adapters) checks[channel.id] = await channel.health();
    return checks;
  }

  return {
    config, conn, ...core, readiness,
    httpPort: () => (server?.address() as { port: number } | null)?.port,
    io: () => io,
    async start(options = {}) {
      for (const channel of core.adapters) await channel.start(sink);
      core.dispatcher.start();
      core.digests.start();
      core.fanout.start();
      core.housekeeping.start();
      if (core.sla.enabled) core.sla.scheduler.start();
      if (options.listen === false) return;
      // One express app and one socket.io server on one HTTP server; channels attach to both.
      const channelRoutes = express.Router();
      const app = createHttpApp({
        repos: core.repos, actions: core.actions, knowledge: core.knowledge, reports: core.reports, agents: core.agents, loginThrottle, displayHtml,
        adminToken: config.adminToken, secret: config.secret, publicUrl: config.publicUrl,
        readiness, logger: logger.child({ component: 'http' }), channelRoutes, consoleRoutes: consoleRoutes(),
        sla: { view: (id) => core.sla.tracker.view(id), settings: core.sla.settings },
        ...(metrics ? { metrics: { source: metrics, token: config.metrics.token } } : {}),
      });
      server = createServer(app);
      // Cross-origin pages embed the chat: any origin may open a socket (no cookies are used), and
      // the chat namespace then checks the origin against the visitor's site key.
      io = new SocketServer(server, {
        serveClient: false, maxHttpBufferSize: config.channels.chat.maxHttpBufferSize, cors: { origin: true, credentials: false },
      });
      for (const channel of core.adapters) channel.mount?.({ router: channelRoutes, io } satisfies ChannelWebSurface);
      stopFeed = attachLiveFeed(io, { agents: core.agents, publisher: core.publisher, secret: config.secret, logger: logger.child({ component: 'console' }) });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject).listen(config.port, config.host, () => resolve());
      });
      const bound = server!.address() as { address: string; port: number };
      logger.info({ host: bound.address, port: bound.port }, 'http listening');
    },
    async stop() {
      stopFeed?.();
      if (io && server) {
        // io.close() disconnects every socket and closes the HTTP server; idle keep-alive
        // connections would hold that close open, so they go too.
        const closed = new Promise<void>((resolve) => { io!.close(() => resolve()); });
        server.closeAllConnections?.();
        await closed;
      }
      for (const channel of core.adapters) await channel.stop();
      await core.digests.stop();
      await core.fanout.stop();
      await core.housekeeping.stop();
      await core.sla.scheduler.stop();
      await core.sla.tracker.idle();
      await core.dispatcher.stop();
      await loginThrottle.close();
      await conn.close();
    },
  };
}
