/**
 * The live chat channel: the visitor token endpoint, the /chat (visitors) and /agents namespaces,
 * delivery of agent replies to a visitor's conversation, and ticket status shown live. With a
 * Redis URL, rooms, presence and rate limits are shared by every gateway process.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import type {
  ChannelAdapter, ChannelHealth, ChatOutbound, DeliveryResult, IntakeSink, LiveChannelDeps, Logger, TicketEvent, TicketStatus,
} from '../../src/core/index.ts';
import type { ChannelWebSurface } from '../index.ts';
import { ChatHub, type AgentNamespace, type VisitorNamespace } from './chat.hub.ts';
import { ChatSites, type ChatSite } from './chat-sites.ts';
import { mountAgentNamespace } from './agent.namespace.ts';
import { ChatRateLimits, type RateSetting } from './rate-limits.ts';
import { RedisTaskLock } from './shared-lock.ts';
import { conversationRoom } from './rooms.ts';
import { mountVisitorNamespace } from './visitor.namespace.ts';
import { visitorsRoute } from './visitors.route.ts';
import { VisitorTokens } from './visitor-token.ts';
import { mountOffline } from './offline/offline.mount.ts';
import { widgetRoutes } from './widget/widget.routes.ts';

export interface ChatSettings {
  sites: readonly ChatSite[];
  maxTextLength: number;
  socketRate: RateSetting;
  visitorRate: RateSetting;
  demoSiteKey?: string | undefined;
}

export interface ChatChannelDeps {
  live: LiveChannelDeps;
  logger: Logger;
  /** Connected visitors and agents of this process (gauges); nothing is kept when absent. */
  connected?: (role: 'visitor' | 'agent', delta: number) => void;
}

export class ChatChannel implements ChannelAdapter<ChatOutbound> {
  readonly id = 'chat';
  private sink: IntakeSink | undefined;
  private hub: ChatHub | undefined;
  private redis: Redis[] = [];
  private unsubscribe: (() => void) | undefined;
  private stopOffline: (() => void) | undefined;
  private readonly tokens: VisitorTokens;
  private readonly sites: ChatSites;

  constructor(private readonly settings: ChatSettings, private readonly deps: ChatChannelDeps) {
    this.tokens = new VisitorTokens(deps.live.secret);
    // The demo key is a site with no origin of its own: only the gateway's pages may use it.
    const demo = settings.demoSiteKey && !settings.sites.some((s) => s.key === settings.demoSiteKey) ? [{ key: settings.demoSiteKey, origins: [] }] : [];
    this.sites = new ChatSites([...settings.sites, ...demo], deps.live.publicUrl);
  }

  /** Signs a visitor token (tests, and sites that mint tokens server-side through the gateway). */
  visitorTokens(): VisitorTokens {
    return this.tokens;
  }

  async start(sink: IntakeSink): Promise<void> {
    this.sink = sink;
    this.unsubscribe ??= this.deps.live.events.subscribe((event) => { void this.onTicketEvent(event); });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.stopOffline?.();
    this.stopOffline = undefined;
    this.sink = undefined;
    await Promise.all(this.redis.map((r) => r.quit().catch(() => r.disconnect())));
    this.redis = [];
  }

  mount({ router, io }: ChannelWebSurface): void {
    const { live, logger } = this.deps;
    const redis = live.redisUrl ? this.connectRedis(io, live.redisUrl) : undefined;
    const limits = new ChatRateLimits(this.settings, redis, live.redisPrefix);
    const hub = new ChatHub(
      live.chatLog, io.of('/chat') as VisitorNamespace, io.of('/agents') as AgentNamespace, logger, Boolean(redis),
      redis ? new RedisTaskLock(redis, `${live.redisPrefix}:chat`) : undefined,
    );
    this.hub = hub;
    const connected = (role: 'visitor' | 'agent') => (delta: number) => this.deps.connected?.(role, delta);
    router.use(visitorsRoute(this.sites, this.tokens));
    router.use(widgetRoutes({ demoSiteKey: this.settings.demoSiteKey }));
    mountVisitorNamespace({
      hub, tokens: this.tokens, sites: this.sites, limits, maxTextLength: this.settings.maxTextLength,
      sink: () => this.sink, logger: logger.child({ component: 'chat-visitors' }), connected: connected('visitor'),
    });
    mountAgentNamespace({
      hub, actions: live.actions, authenticateAgent: (c) => live.authenticateAgent(c), limits, maxTextLength: this.settings.maxTextLength,
      supportName: live.supportName, logger: logger.child({ component: 'chat-agents' }), connected: connected('agent'),
    });
    this.stopOffline = mountOffline({ hub, followUps: live.followUps, events: live.events, limits, logger: logger.child({ component: 'chat-offline' }) });
  }

  /** Redis pub/sub for the socket.io adapter, and the client the rate limits count in. */
  private connectRedis(io: Server, url: string): Redis {
    const pub = new Redis(url, { maxRetriesPerRequest: 2 });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on('error', (err) => this.deps.logger.warn({ err }, 'chat redis error'));
    this.redis = [pub, sub];
    io.adapter(createAdapter(pub, sub, { key: `${this.deps.live.redisPrefix}:socket.io` }));
    return pub;
  }

  /**
   * An agent reply (or other message) for a chat ticket: it becomes a line of the conversation
   * (once, whoever stores it first) and reaches the visitor if connected on any process; if not,
   * `not-connected` lets the dispatcher schedule the visitor's digest mail (chat/chat-digest.service.ts
   * in the core). The line stays for their return.
   */
  async deliver(message: ChatOutbound): Promise<DeliveryResult> {
    const hub = this.hub;
    if (!hub) return { status: 'retry', error: 'chat is not served by this process yet' };
    const conversationId = await hub.log.conversationOf(message.ticketNumber);
    if (!conversationId) {
      // Suggested articles are queued while the ingest of the visitor's first line runs; that line
      // records the conversation just after. Try again shortly rather than lose the line.
      if (message.kind === 'kb-suggestions') return { status: 'retry', error: `ticket #${message.ticketNumber} has no chat conversation yet` };
      return { status: 'not-connected', detail: `ticket #${message.ticketNumber} has no chat conversation` };
    }
    await hub.append(conversationId, {
      key: message.id, author: message.kind === 'agent-reply' ? 'agent' : 'system', text: message.text, at: new Date(),
      ticketNumber: message.ticketNumber, ...(message.authorName ? { agentName: message.authorName } : {}),
    });
    if (!(await hub.visitorConnected(conversationId))) return { status: 'not-connected', detail: `visitor of conversation ${conversationId} is not connected` };
    return { status: 'delivered', receipt: { accepted: [conversationId], rejected: [] } };
  }

  /** Status changes made anywhere reach the conversation's visitor live (on any process, via the adapter). */
  private async onTicketEvent(event: TicketEvent): Promise<void> {
    const hub = this.hub;
    if (!hub || event.type !== 'ticket.status-changed') return;
    try {
      const conversationId = await hub.log.conversationOf(event.ticketNumber);
      if (!conversationId) return;
      hub.visitors.to(conversationRoom(conversationId)).emit('status', { ticketNumber: event.ticketNumber, status: event.data.to as TicketStatus });
    } catch (err) {
      this.deps.logger.warn({ err, ticket: event.ticketNumber }, 'chat status update failed');
    }
  }

  async health(): Promise<ChannelHealth> {
    if (!this.redis.length) return { ok: true, detail: this.hub ? 'chat serving' : 'chat not mounted' };
    const down = this.redis.filter((r) => r.status !== 'ready');
    return down.length ? { ok: false, detail: `chat redis ${down[0]!.status}` } : { ok: true, detail: 'chat serving, redis ready' };
  }
}
