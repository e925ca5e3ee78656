/**
 * The /chat namespace: visitors. Identity comes from the visitor token checked in `io.use` and
 * kept in `socket.data`; no payload field can change it. A message is acknowledged only after the
 * core stored it and its line has a sequence number; a resent clientId gets the first answer.
 */
import { isTransient, type IntakeSink, type Logger } from '../../src/core/index.ts';
import { ChatErrorCodes, visitorPayloads, type Ack, type Failure } from './chat.events.ts';
import type { ChatHub, VisitorSocket } from './chat.hub.ts';
import { toChatMessage, visitorInbound } from './chat-message.ts';
import type { ChatSites } from './chat-sites.ts';
import { handshakeError } from './handshake-error.ts';
import type { ChatRateLimits } from './rate-limits.ts';
import { conversationRoom, ticketRoom } from './rooms.ts';
import type { VisitorTokens } from './visitor-token.ts';

export interface VisitorNamespaceDeps {
  hub: ChatHub;
  tokens: VisitorTokens;
  sites: ChatSites;
  limits: ChatRateLimits;
  maxTextLength: number;
  /** The intake, once the channel started (before that, sends answer `unavailable`). */
  sink: () => IntakeSink | undefined;
  logger: Logger;
  connected: (delta: number) => void;
}

const HISTORY_PAGE = 500;

/** The ack function a client passed, or a no-op: a client that wants no answer gets none. */
const ackOf = <T>(ack: unknown): Ack<T> => (typeof ack === 'function' ? ack as Ack<T> : () => {});
const fail = (code: Failure['code']): Failure => ({ ok: false, code });

export function mountVisitorNamespace(deps: VisitorNamespaceDeps): void {
  const { hub, tokens, sites, limits, logger } = deps;
  const nsp = hub.visitors;

  nsp.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const claims = tokens.verify(auth.visitorToken);
    if (!claims) { next(handshakeError(ChatErrorCodes.UNAUTHORIZED)); return; }
    const verdict = sites.check(claims.siteKey, socket.handshake.headers.origin);
    if (!verdict.ok) { next(handshakeError(verdict.code)); return; }
    const lastSeq = typeof auth.lastSeq === 'number' && Number.isInteger(auth.lastSeq) && auth.lastSeq >= 0 ? auth.lastSeq : 0;
    socket.data = { ...claims, cursor: lastSeq };
    next();
  });

  nsp.on('connection', (socket: VisitorSocket) => {
    deps.connected(1);
    socket.on('disconnect', () => deps.connected(-1));
    void socket.join(conversationRoom(socket.data.visitorId));
    hub.attach(socket);
    void hub.agentsOnline().then((agentsOnline) => socket.emit('presence', { agentsOnline })).catch(() => {});

    socket.on('message:send', (payload, ack) => {
      const reply = ackOf<{ seq: number; ticketNumber: number }>(ack);
      send(socket, payload).then(reply, (err: unknown) => {
        logger.warn({ err, visitorId: socket.data.visitorId }, 'chat message not stored');
        reply(fail(ChatErrorCodes.UNAVAILABLE));
      });
    });

    socket.on('history', (payload, ack) => {
      const reply = ackOf<{ messages: ReturnType<typeof toChatMessage>[] }>(ack);
      void (async () => {
        if (!(await limits.socketEvent(socket.id))) return reply(fail(ChatErrorCodes.RATE_LIMITED));
        const parsed = visitorPayloads.history.safeParse(payload);
        if (!parsed.success) return reply(fail(ChatErrorCodes.INVALID_PAYLOAD));
        const lines = await hub.log.after(socket.data.visitorId, parsed.data.afterSeq, HISTORY_PAGE);
        return reply({ ok: true, messages: lines.map(toChatMessage) });
      })().catch(() => reply(fail(ChatErrorCodes.UNAVAILABLE)));
    });

    socket.on('typing', (payload) => {
      void (async () => {
        if (!(await limits.socketEvent(socket.id))) return;
        const parsed = visitorPayloads.typing.safeParse(payload);
        const ticketNumber = socket.data.ticketNumber;
        if (!parsed.success || !ticketNumber) return;
        hub.agents.to(ticketRoom(ticketNumber)).emit('typing', { ticketNumber, typing: parsed.data.typing });
      })().catch(() => {});
    });
  });

  async function send(socket: VisitorSocket, payload: unknown): Promise<{ ok: true; seq: number; ticketNumber: number } | Failure> {
    if (!(await limits.socketEvent(socket.id))) return fail(ChatErrorCodes.RATE_LIMITED);
    const raw = payload as { text?: unknown } | null;
    if (typeof raw?.text === 'string' && raw.text.length > deps.maxTextLength) return fail(ChatErrorCodes.TOO_LONG);
    const parsed = visitorPayloads['message:send'].safeParse(payload);
    if (!parsed.success) return fail(ChatErrorCodes.INVALID_PAYLOAD);
    const { clientId, text } = parsed.data;
    const visitor = socket.data;
    const key = `visitor:${clientId}`;
    if (!(await limits.visitorMessage(visitor.visitorId))) {
      // Over the limit, a resend of a stored message still gets its first answer: it stores nothing new.
      const known = await hub.log.byKey(visitor.visitorId, key);
      return known ? { ok: true, seq: known.seq, ticketNumber: known.ticketNumber } : fail(ChatErrorCodes.RATE_LIMITED);
    }
    const sink = deps.sink();
    if (!sink) return fail(ChatErrorCodes.UNAVAILABLE);
    const at = new Date();
    // One writer per conversation, for the ingest and the line together: two tabs' first messages
    // open one ticket, not two, and the line is numbered in the order the messages were stored.
    // A resent clientId needs no lookup first: the ingest answers `duplicate` and the line's key
    // claim finds the line stored the first time, so the answer is the first one (and the
    // message it counted against the visitor's limit is given back). The key is claimed while the
    // message is ingested (it needs no ticket); the line itself is written only once it is stored.
    const stored = await hub.lock.run(visitor.visitorId, async () => {
      const [result, claim] = await Promise.all([
        sink.ingest(visitorInbound(visitor, clientId, text, at)).catch((err: unknown) => {
          if (isTransient(err)) return null;
          throw err;
        }),
        hub.log.claim(visitor.visitorId, key),
      ]);
      if (!result) return fail(ChatErrorCodes.UNAVAILABLE);
      if (!result.ticketNumber || !['created', 'appended', 'duplicate'].includes(result.outcome)) {
        logger.warn({ outcome: result.outcome, reason: result.reason }, 'chat message refused by the intake');
        return fail(ChatErrorCodes.NOT_STORED);
      }
      const line = { key, author: 'visitor' as const, text, at, ticketNumber: result.ticketNumber };
      const { entry, duplicate } = await hub.appendHeld(visitor.visitorId, line, result.outcome === 'created', claim);
      if (duplicate) void limits.refundVisitorMessage(visitor.visitorId);
      return entry;
    });
    if ('ok' in stored) return stored;
    const entry = stored;
    socket.data.ticketNumber = entry.ticketNumber;
    return { ok: true, seq: entry.seq, ticketNumber: entry.ticketNumber };
  }
}
