/**
 * The /agents namespace: agents see new conversations and every line, join a conversation (the
 * ack carries its history), reply and type. A script signs in with an API token; the console page
 * with its session cookie (plus the session's CSRF token, from its own origin only). A reply goes through TicketActions (audited, status
 * updated, queued in the outbox; a gone visitor gets it in a digest mail) and is then a line of the conversation:
 * the outbox's later delivery of the same reply finds that line and adds nothing.
 */
import { ErrorCodes, isTransient, type Actor, type AgentCredentials, type Logger, type TicketActions } from '../../src/core/index.ts';
import { agentPayloads, ChatErrorCodes, type Ack, type Failure } from './chat.events.ts';
import type { AgentSocket, ChatHub } from './chat.hub.ts';
import { toChatMessage } from './chat-message.ts';
import { handshakeError } from './handshake-error.ts';
import type { ChatRateLimits } from './rate-limits.ts';
import { AGENTS_ROOM, conversationRoom, ticketRoom } from './rooms.ts';

export interface AgentNamespaceDeps {
  hub: ChatHub;
  actions: TicketActions;
  authenticateAgent(credentials: AgentCredentials): Promise<Actor | null>;
  limits: ChatRateLimits;
  maxTextLength: number;
  supportName: string;
  logger: Logger;
  connected: (delta: number) => void;
}

const HISTORY_PAGE = 500;
const ackOf = <T>(ack: unknown): Ack<T> => (typeof ack === 'function' ? ack as Ack<T> : () => {});
const fail = (code: Failure['code']): Failure => ({ ok: false, code });

const capped = (value: unknown, max: number) => (typeof value === 'string' && value.length <= max ? value : undefined);

/**
 * What the handshake says about who connects: `auth.token` (a script), or, from the console page,
 * its session cookie, `auth.csrfToken` and the Origin and Host headers (checked by whoever authenticates).
 */
function credentialsOf(handshake: AgentSocket['handshake']): AgentCredentials {
  const auth = (handshake.auth ?? {}) as Record<string, unknown>;
  const header = (name: string) => capped(handshake.headers[name], 8192);
  if (auth.token !== undefined) return { token: capped(auth.token, 512) ?? '' };
  const found = { cookie: header('cookie'), csrfToken: capped(auth.csrfToken, 256), origin: header('origin'), host: header('host') };
  return Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined));
}

/** The outbox id TicketActions gives a reply with this request id (ReplyComposer's `reply:action:`). */
export const replyLineKey = (requestId: string) => `reply:action:${requestId}`;

export function mountAgentNamespace(deps: AgentNamespaceDeps): void {
  const { hub, limits, logger } = deps;
  const nsp = hub.agents;

  nsp.use((socket, next) => {
    deps.authenticateAgent(credentialsOf(socket.handshake)).then((actor) => {
      if (!actor) { next(handshakeError(ChatErrorCodes.UNAUTHORIZED)); return; }
      // A shared token (ADMIN_TOKEN) names no person: the agent may say which name visitors see.
      const name = (socket.handshake.auth as Record<string, unknown> | undefined)?.name;
      const chosen = typeof name === 'string' ? name.trim().slice(0, 100) : '';
      socket.data = { agentId: actor.id, agentName: actor.name ?? (chosen || deps.supportName) };
      next();
    }, () => next(handshakeError(ChatErrorCodes.UNAVAILABLE)));
  });

  nsp.on('connection', (socket: AgentSocket) => {
    deps.connected(1);
    void socket.join(AGENTS_ROOM);
    void hub.broadcastPresence();
    socket.on('disconnect', () => {
      deps.connected(-1);
      void hub.broadcastPresence();
    });

    socket.on('conversation:join', (payload, ack) => {
      const reply = ackOf<{ ticketNumber: number; messages: ReturnType<typeof toChatMessage>[] }>(ack);
      void (async () => {
        if (!(await limits.socketEvent(socket.id))) return reply(fail(ChatErrorCodes.RATE_LIMITED));
        const parsed = agentPayloads['conversation:join'].safeParse(payload);
        if (!parsed.success) return reply(fail(ChatErrorCodes.INVALID_PAYLOAD));
        const { ticketNumber } = parsed.data;
        const conversationId = await hub.log.conversationOf(ticketNumber);
        if (!conversationId) return reply(fail(ChatErrorCodes.NOT_FOUND));
        await socket.join(ticketRoom(ticketNumber));
        const lines = await hub.log.after(conversationId, 0, HISTORY_PAGE);
        return reply({ ok: true, ticketNumber, messages: lines.map(toChatMessage) });
      })().catch(() => reply(fail(ChatErrorCodes.UNAVAILABLE)));
    });

    socket.on('message:send', (payload, ack) => {
      const reply = ackOf<{ seq: number }>(ack);
      send(socket, payload).then(reply, (err: unknown) => {
        if ((err as { code?: string })?.code === ErrorCodes.NOT_FOUND) return reply(fail(ChatErrorCodes.NOT_FOUND));
        if (!isTransient(err)) logger.error({ err, agent: socket.data.agentId }, 'agent chat reply failed');
        return reply(fail(ChatErrorCodes.UNAVAILABLE));
      });
    });

    socket.on('typing', (payload) => {
      void (async () => {
        if (!(await limits.socketEvent(socket.id))) return;
        const parsed = agentPayloads.typing.safeParse(payload);
        if (!parsed.success) return;
        const conversationId = await hub.log.conversationOf(parsed.data.ticketNumber);
        if (!conversationId) return;
        hub.visitors.to(conversationRoom(conversationId)).emit('typing', { typing: parsed.data.typing, agentName: socket.data.agentName });
      })().catch(() => {});
    });
  });

  async function send(socket: AgentSocket, payload: unknown): Promise<{ ok: true; seq: number } | Failure> {
    if (!(await limits.socketEvent(socket.id))) return fail(ChatErrorCodes.RATE_LIMITED);
    const raw = payload as { text?: unknown } | null;
    if (typeof raw?.text === 'string' && raw.text.length > deps.maxTextLength) return fail(ChatErrorCodes.TOO_LONG);
    const parsed = agentPayloads['message:send'].safeParse(payload);
    if (!parsed.success) return fail(ChatErrorCodes.INVALID_PAYLOAD);
    const { ticketNumber, clientId, text } = parsed.data;
    const conversationId = await hub.log.conversationOf(ticketNumber);
    if (!conversationId) return fail(ChatErrorCodes.NOT_FOUND);
    const { agentId, agentName } = socket.data;
    const requestId = `chat:${agentId}:${clientId}`;
    const key = replyLineKey(requestId);
    const known = await hub.log.byKey(conversationId, key);
    if (known) return { ok: true, seq: known.seq };
    const stored = await deps.actions.reply(ticketNumber, requestId, text, { id: agentId, name: agentName });
    const { entry } = await hub.append(conversationId, { key, author: 'agent', text: stored.text, at: stored.createdAt, ticketNumber, agentName });
    return { ok: true, seq: entry.seq };
  }
}
