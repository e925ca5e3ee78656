/**
 * Builds the core on an open connection from one frozen config: repositories, core services,
 * ticket actions, the event publisher and every channel of the registry. The gateway process and
 * the CLI both use it; neither starts anything here.
 */
import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import type { AppConfig } from '../config/index.ts';
import { CHANNEL_IDS, channelRegistry, type ChannelConfigs, type Channels, type RegisteredChannelId } from '../channels/registry.ts';
import {
  Acknowledger, AgentDirectory, AgentFanout, AgentNotifier, AgentReplyHandler, agentsMayBeNotified, armCrashPoints, BounceHandler, ChatDigests, ChatFollowUpService, ChatSuggestions, Housekeeping, InProcessEventPublisher, IngestService,
  IntakeRules, KnowledgeBase, LoopGuard, ProgressEnquiries, noMetrics, OutboxDispatcher, PublicTicketService, ReplyComposer, SlaNotifier, SlaScheduler, SlaTracker, StatusUpdateComposer, ThreadResolver,
  TicketActions, type Actor, type AgentCredentials, type ChannelAdapter, type ChannelDeps, type ChannelFactory, type Clock, type Logger, type Metrics, type TokenKeys,
} from './core/index.ts';
import { SessionCookies } from './api/session-cookie.ts';
import { agentOfConsoleSession } from './console/console-socket.auth.ts';
import { createAgentStores } from './infra/mongo/agent.repositories.ts';
import { MongoChatLogRepository } from './infra/mongo/chat-log.repository.ts';
import { createKnowledgeStores } from './infra/mongo/knowledge.repository.ts';
import { mongoReportSource } from './infra/mongo/report.source.ts';
import { createModels } from './infra/mongo/models.ts';
import { expiredRecords } from './infra/mongo/expired-records.ts';
import { createRepositories } from './infra/mongo/repositories.ts';
import { createSlaStore } from './infra/mongo/sla.repository.ts';
import { prepareStore, storePrepared } from './infra/mongo/store-preparation.ts';
import { translateErrors } from './infra/mongo/transient-errors.ts';
import { FileTemplateRenderer } from './infra/templates/template.renderer.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

export function tokenKeys(config: AppConfig): TokenKeys {
  // The current secret signs; previous ones only verify, so a rotation breaks no outstanding token.
  return { keys: [{ id: config.secretKeyId, secret: config.secret }, ...config.previousSecrets] };
}

export function messageIdDomain(config: AppConfig): string {
  return config.supportAddress.split('@')[1]!.toLowerCase();
}

/**
 * Agents of live channels sign in with an API token (the admin token: one shared API agent, as in
 * the REST API; or a personal token, which names its agent and their display name), or, from the
 * console page, with its session cookie, the session's CSRF token and the console's Origin.
 */
function liveAgentAuth(config: AppConfig, agents: AgentDirectory): (credentials: AgentCredentials) => Promise<Actor | null> {
  const expected = Buffer.from(config.adminToken);
  const cookies = new SessionCookies({ secret: config.secret, secure: false });
  const publicOrigin = new URL(config.publicUrl).origin;
  return async (credentials) => {
    const { token } = credentials;
    let agent;
    if (token !== undefined) {
      const given = Buffer.from(token);
      if (given.length === expected.length && timingSafeEqual(given, expected)) return { id: 'agent:api' };
      agent = AgentDirectory.looksLikeToken(token) ? await agents.agentOfToken(token) : null;
    } else {
      agent = await agentOfConsoleSession(credentials, agents, cookies, publicOrigin);
    }
    return agent ? { id: `agent:${agent.id}`, name: agent.displayName } : null;
  };
}

/** Builds the channels named in `ids` (default: every channel in the registry), each from its slice of `config.channels`. */
export async function buildChannels<K extends RegisteredChannelId = RegisteredChannelId>(
  configs: ChannelConfigs, deps: ChannelDeps, ids: readonly K[] = CHANNEL_IDS as K[],
): Promise<Pick<Channels, K>> {
  const built: Record<string, ChannelAdapter> = {};
  for (const id of ids) {
    const factory = (await channelRegistry[id]()) as ChannelFactory<unknown>;
    built[id] = factory(configs[id], deps);
  }
  return built as Pick<Channels, K>;
}

export const systemClock: Clock = { now: () => new Date() };

export interface CoreOptions<K extends RegisteredChannelId = RegisteredChannelId> {
  /**
   * `prepare` (the gateway, tests): run migrations and create collections and indexes. `if-unprepared`
   * (a CLI command): only when the database was not prepared for this layout yet (one read).
   */
  store?: 'prepare' | 'if-unprepared';
  /**
   * The channels to build (default: every registered one). A CLI command builds only what it uses,
   * so it does not load the others' libraries at every start.
   */
  channels?: readonly K[];
}

/** How often expired counters and claims are deleted: often enough that their collections stay small. */
const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/**
 * Everything the core needs, wired on an open connection (also used by the CLI). `extraChannels`
 * run beside the registry's (tests plug a channel in this way); tests inject a fake `clock`.
 */
export async function buildCore<K extends RegisteredChannelId = RegisteredChannelId>(
  config: AppConfig, conn: Connection, logger: Logger, metrics: Metrics = noMetrics, extraChannels: ChannelAdapter[] = [], clock: Clock = systemClock,
  options: CoreOptions<K> = {},
) {
  armCrashPoints(config.crashPoints);
  const models = createModels(conn);
  if (options.store !== 'if-unprepared' || !(await storePrepared(conn, models))) await prepareStore(conn, models);
  const agentStores = createAgentStores(conn);
  const agents = new AgentDirectory(agentStores, clock, config.auth.sessionTtlMs, config.agentNotifications.rosterTtlMs);
  // An event nobody could be mailed about skips the fan-out queue (the roster intake reads anyway).
  // Unsure (the roster cannot be read): queue it, and let the pass decide.
  const fanoutWanted = async (type: string) => {
    const roster = await agents.roster().catch(() => null);
    return roster === null || agentsMayBeNotified(type, roster);
  };
  const repos = createRepositories(conn, models, { fanoutWanted });
  const keys = tokenKeys(config);
  const domain = messageIdDomain(config);
  const resolver = new ThreadResolver({ tickets: repos.tickets, messages: repos.messages, keys, messageIdDomain: domain });
  const renderer = new FileTemplateRenderer(TEMPLATES_DIR);
  const email = config.channels.email;
  const mail = { supportAddress: config.supportAddress, supportName: config.supportName, messageIdDomain: domain, keys };
  const guard = new LoopGuard(repos.ackLog, repos.suppressions, {
    perSenderLimit: email.breakers.ackPerSenderLimit, perSenderWindowMs: email.breakers.ackPerSenderWindowMs,
    perDomainLimit: email.breakers.ackPerDomainLimit, perDomainWindowMs: email.breakers.ackPerDomainWindowMs,
    globalLimit: email.breakers.globalBreakerLimit, globalWindowMs: email.breakers.globalBreakerWindowMs,
  });
  const { webform } = config.channels;
  const publisher = new InProcessEventPublisher(logger.child({ component: 'events' }));
  // The dispatcher needs the channels, and live channels need the actions: kick it once it exists.
  let kick = () => {};
  const knowledge = new KnowledgeBase({ stores: createKnowledgeStores(conn), repos, clock, keys, publicUrl: config.publicUrl });
  const chatSuggestions = new ChatSuggestions({
    kb: knowledge, outbox: repos.outbox, renderer, delayMs: config.knowledge.chatSuggestionDelayMs, onQueued: () => kick(),
  });
  const acknowledger = new Acknowledger({
    suggest: async (ticket, message, at) => (await knowledge.suggestFor(ticket, message.visibleText || message.text, at))
      .map((o) => ({ problem: o.article.problem, url: o.url })),
    outbox: repos.outbox, messages: repos.messages, tickets: repos.tickets, renderer, guard, settings: mail,
    links: { publicUrl: config.publicUrl, keys, statusTtlMs: webform.statusLinkTtlMs, verifyTtlMs: webform.verifyLinkTtlMs },
  });
  const ingest = new IngestService({
    repos, resolver, acknowledger, clock, publisher, logger: logger.child({ component: 'ingest' }), rules: new IntakeRules(repos.intakeRules),
    onTicketOpened: (ticket, message, at) => chatSuggestions.offer(ticket, message, at),
    enquiries: new ProgressEnquiries({ repos, renderer, mail, onQueued: () => kick() }),
    bounces: new BounceHandler(repos, { keys, suppressionMs: email.suppressionMs }, clock, logger.child({ component: 'bounces' })),
    agentReplies: new AgentReplyHandler(repos, renderer, { ...mail, agentAddresses: email.agentAddresses }, agents),
    settings: {
      ownAddresses: [config.supportAddress, ...config.ownAddresses], messageIdDomain: domain, keys, defaultLocale: config.defaultLocale,
      ticketBreakerLimit: email.breakers.ticketBreakerLimit, ticketBreakerWindowMs: email.breakers.ticketBreakerWindowMs,
      reopenWindowMs: config.tickets.reopenWindowMs, maxIngestAttempts: config.intake.maxIngestAttempts,
      bodyPreviewBytes: config.intake.bodyPreviewBytes, maxParticipantsPerMail: config.intake.maxParticipantsPerMessage,
      maxParticipantsPerTicket: config.intake.maxParticipantsPerTicket,
    },
  });
  const tickets = new PublicTicketService({ repos, acknowledger, clock, onQueued: () => kick() });
  const actions = new TicketActions({
    repos, clock, publisher, supportName: config.supportName, replies: new ReplyComposer(repos, renderer, mail),
    statusUpdates: new StatusUpdateComposer(repos, renderer, { ...mail, notify: config.tickets.statusUpdates }),
    onQueued: () => kick(),
  });
  const offline = config.channels.chat.offline;
  const digests = new ChatDigests({
    repos, renderer, mail, clock, logger: logger.child({ component: 'chat-digests' }), onQueued: () => kick(),
    settings: { delayMs: offline.digestDelayMs, pollIntervalMs: offline.digestPollIntervalMs },
  });
  const followUps = new ChatFollowUpService({ repos, renderer, mail, clock, onQueued: () => kick() });
  const channels = await buildChannels(config.channels, {
    blobs: repos.blobs, checkpoints: repos.checkpoints, logger, supportAddress: config.supportAddress, ownAddresses: config.ownAddresses, metrics,
    keys, tickets, web: { publicUrl: config.publicUrl, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}) },
    live: {
      secret: config.secret, supportName: config.supportName, publicUrl: config.publicUrl, redisPrefix: `helpdesk:${config.database.dbName}`, actions, events: publisher,
      chatLog: translateErrors(new MongoChatLogRepository(models)), authenticateAgent: liveAgentAuth(config, agents),
      followUps, ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
    },
  }, options.channels);
  const adapters: ChannelAdapter[] = [...Object.values<ChannelAdapter>(channels), ...extraChannels];
  const dispatcher = new OutboxDispatcher(repos.outbox, new Map(adapters.map((a) => [a.id, a])), config.outbox, clock, logger.child({ component: 'outbox' }), metrics, digests);
  kick = () => dispatcher.kick();
  const fanout = new AgentFanout({
    events: repos.events, clock, logger: logger.child({ component: 'agent-notify' }), pollIntervalMs: config.agentNotifications.pollIntervalMs,
    notifier: new AgentNotifier({ repos, roster: () => agents.roster(), renderer, mail, publicUrl: config.publicUrl }), onQueued: () => kick(), queues: fanoutWanted,
  });
  publisher.subscribe(fanout.listener());
  const housekeeping = new Housekeeping({ pruners: expiredRecords(models), clock, logger: logger.child({ component: 'housekeeping' }), intervalMs: HOUSEKEEPING_INTERVAL_MS });
  const sla = await buildSla(config, conn, logger, { repos, clock, publisher, actions, agents: agentStores.agents, renderer, mail, onQueued: () => kick() });
  return { models, repos, ingest, dispatcher, digests, fanout, housekeeping, channels, adapters, actions, publisher, agents, agentStores, sla, knowledge,
    reports: { source: mongoReportSource(conn, models), slaAvailable: config.sla.enabled } };
}

/** SLA clocks follow this process's ticket events; the scheduler fires due timers (started by the gateway). */
async function buildSla(config: AppConfig, conn: Connection, logger: Logger, deps: {
  repos: ReturnType<typeof createRepositories>; clock: Clock; publisher: InProcessEventPublisher; actions: TicketActions;
  agents: Awaited<ReturnType<typeof createAgentStores>>['agents']; renderer: FileTemplateRenderer;
  mail: ConstructorParameters<typeof SlaNotifier>[0]['mail']; onQueued: () => void;
}) {
  const settings = config.sla;
  const store = createSlaStore(conn);
  const tracker = new SlaTracker({ store, repos: deps.repos, settings, clock: deps.clock, logger: logger.child({ component: 'sla' }) });
  if (settings.enabled) tracker.listen(deps.publisher);
  const notifier = new SlaNotifier({ agents: deps.agents, outbox: deps.repos.outbox, renderer: deps.renderer, mail: deps.mail });
  const scheduler = new SlaScheduler({
    store, tracker, notifier, repos: deps.repos, actions: deps.actions, clock: deps.clock, logger: logger.child({ component: 'sla-scheduler' }),
    warnAtPercent: settings.warnAtPercent, pollIntervalMs: settings.pollIntervalMs, actor: { id: 'system:sla', name: config.supportName },
    onQueued: deps.onQueued,
  });
  return { enabled: settings.enabled, settings, store, tracker, scheduler };
}

/** The core with the channels `K` (default: all). */
export type Core<K extends RegisteredChannelId = RegisteredChannelId> = Awaited<ReturnType<typeof buildCore<K>>>;
