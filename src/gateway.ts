/**
 * Composition: builds the database connection, repositories, core services, channels and the HTTP
 * server from one frozen config. `main.ts` runs it as a process; tests run it in process.
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config/index.ts';
import { channelRegistry, type ChannelConfigs, type Channels } from '../channels/index.ts';
import {
  Acknowledger, AgentReplyHandler, armCrashPoints, BounceHandler, IngestService, LoopGuard, meteredSink, noMetrics, OutboxDispatcher,
  ThreadResolver,
  type ChannelAdapter, type ChannelDeps, type ChannelFactory, type ChannelHealth, type Logger, type Metrics, type Repositories, type TokenKeys,
} from './core/index.ts';
import { connectMongo, pingMongo } from './infra/db/mongo.connection.ts';
import { createHttpApp } from './infra/http/http.server.ts';
import { PrometheusMetrics } from './infra/metrics/prometheus.metrics.ts';
import { mongoQueueProbe } from './infra/metrics/queue.probe.ts';
import { createModels, ensureIndexes, type Models } from './infra/mongo/models.ts';
import { createRepositories } from './infra/mongo/repositories.ts';
import { FileTemplateRenderer } from './infra/templates/template.renderer.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

export interface Gateway {
  config: AppConfig;
  conn: Connection;
  models: Models;
  repos: Repositories;
  ingest: IngestService;
  dispatcher: OutboxDispatcher;
  channels: Channels;
  /** Starts channels, the outbox dispatcher and (unless listen=false) the HTTP server. */
  start(options?: { listen?: boolean }): Promise<void>;
  stop(): Promise<void>;
  readiness(): Promise<Record<string, ChannelHealth>>;
  httpPort(): number | undefined;
}

export function tokenKeys(config: AppConfig): TokenKeys {
  // The current secret signs; previous ones only verify, so a rotation breaks no outstanding token.
  return { keys: [{ id: config.secretKeyId, secret: config.secret }, ...config.previousSecrets] };
}

export function messageIdDomain(config: AppConfig): string {
  return config.supportAddress.split('@')[1]!.toLowerCase();
}

/** Everything the core needs, wired on an open connection (also used by the CLI). */
/** Builds every channel in the registry from its slice of `config.channels`. */
export function buildChannels(configs: ChannelConfigs, deps: ChannelDeps): Channels {
  const built: Record<string, ChannelAdapter> = {};
  for (const [id, factory] of Object.entries(channelRegistry)) {
    built[id] = (factory as ChannelFactory<unknown>)(configs[id as keyof ChannelConfigs], deps);
  }
  return built as Channels;
}

export async function buildCore(config: AppConfig, conn: Connection, logger: Logger, metrics: Metrics = noMetrics) {
  armCrashPoints(config.crashPoints);
  const models = createModels(conn);
  await ensureIndexes(models);
  const repos = createRepositories(conn, models);
  const keys = tokenKeys(config);
  const domain = messageIdDomain(config);
  const clock = { now: () => new Date() };
  const resolver = new ThreadResolver({ tickets: repos.tickets, messages: repos.messages, keys, messageIdDomain: domain });
  const renderer = new FileTemplateRenderer(TEMPLATES_DIR);
  const email = config.channels.email;
  const mail = { supportAddress: config.supportAddress, supportName: config.supportName, messageIdDomain: domain, keys };
  const guard = new LoopGuard(repos.ackLog, repos.suppressions, {
    perSenderLimit: email.breakers.ackPerSenderLimit, perSenderWindowMs: email.breakers.ackPerSenderWindowMs,
    perDomainLimit: email.breakers.ackPerDomainLimit, perDomainWindowMs: email.breakers.ackPerDomainWindowMs,
    globalLimit: email.breakers.globalBreakerLimit, globalWindowMs: email.breakers.globalBreakerWindowMs,
  });
  const acknowledger = new Acknowledger({ outbox: repos.outbox, ackLog: repos.ackLog, messages: repos.messages, tickets: repos.tickets, renderer, guard, settings: mail });
  const ingest = new IngestService({
    repos, resolver, acknowledger, clock, logger: logger.child({ component: 'ingest' }),
    bounces: new BounceHandler(repos, { keys, suppressionMs: email.suppressionMs }, clock, logger.child({ component: 'bounces' })),
    agentReplies: new AgentReplyHandler(repos, renderer, { ...mail, agentAddresses: email.agentAddresses }),
    settings: {
      ownAddresses: [config.supportAddress, ...config.ownAddresses], messageIdDomain: domain, keys, defaultLocale: config.defaultLocale,
      ticketBreakerLimit: email.breakers.ticketBreakerLimit, ticketBreakerWindowMs: email.breakers.ticketBreakerWindowMs,
      reopenWindowMs: config.tickets.reopenWindowMs, maxIngestAttempts: config.intake.maxIngestAttempts,
      bodyPreviewBytes: config.intake.bodyPreviewBytes, maxParticipantsPerMail: config.intake.maxParticipantsPerMessage,
      maxParticipantsPerTicket: config.intake.maxParticipantsPerTicket,
    },
  });
  const channels = buildChannels(config.channels, {
    blobs: repos.blobs, checkpoints: repos.checkpoints, logger, supportAddress: config.supportAddress, ownAddresses: config.ownAddresses, metrics,
  });
  const dispatcher = new OutboxDispatcher(repos.outbox, new Map(Object.entries(channels)), config.outbox, clock, logger.child({ component: 'outbox' }), metrics);
  return { models, repos, ingest, dispatcher, channels };
}

export async function createGateway(config: AppConfig, uri: string, logger: Logger): Promise<Gateway> {
  const conn = await connectMongo(uri, config.database.dbName, config.database);
  const metrics = config.metrics.enabled ? new PrometheusMetrics(mongoQueueProbe(conn)) : undefined;
  const core = await buildCore(config, conn, logger, metrics);
  let server: Server | undefined;

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
    for (const [id, channel] of Object.entries(core.channels)) checks[id] = await channel.health();
    return checks;
  }

  return {
    config, conn, ...core, readiness,
    httpPort: () => (server?.address() as { port: number } | null)?.port,
    async start(options = {}) {
      for (const channel of Object.values(core.channels) as ChannelAdapter[]) await channel.start(sink);
      core.dispatcher.start();
      if (options.listen === false) return;
      const app = createHttpApp({
        models: core.models, repos: core.repos, adminToken: config.adminToken, publicUrl: config.publicUrl,
        readiness, logger: logger.child({ component: 'http' }),
        ...(metrics ? { metrics: { source: metrics, token: config.metrics.token } } : {}),
      });
      await new Promise<void>((resolve, reject) => {
        server = app.listen(config.port, config.host, () => resolve()).once('error', reject);
      });
      const bound = server!.address() as { address: string; port: number };
      logger.info({ host: bound.address, port: bound.port }, 'http listening');
    },
    async stop() {
      if (server) await new Promise((resolve) => { server!.close(resolve); server!.closeAllConnections?.(); });
      for (const channel of Object.values(core.channels) as ChannelAdapter[]) await channel.stop();
      await core.dispatcher.stop();
      await conn.close();
    },
  };
}
