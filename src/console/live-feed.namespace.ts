/**
 * The console's live feed, the socket.io namespace `/console`: every signed-in agent is in the
 * `queue` room and hears what happens to tickets (new tickets, messages, status and other
 * changes: the EventPublisher's TicketEvents, names and numbers only; the page reloads what it
 * shows through the API). An agent looking at a ticket joins that ticket's room; who else is in
 * the room, and whether they are typing, is the presence everyone there sees. Rooms only, no maps
 * kept by hand: with the Redis adapter the rooms and `fetchSockets` span every gateway process.
 */
import type { Namespace, Server } from 'socket.io';
import { z } from 'zod';
import type { AgentDirectory, Logger, TicketEvent } from '../core/index.ts';
import { SessionCookies } from '../api/session-cookie.ts';
import { agentOfSocket } from './console-socket.auth.ts';

export const CONSOLE_NAMESPACE = '/console';
const QUEUE_ROOM = 'queue';
const ticketRoom = (n: number) => `ticket:${n}`;

export interface Viewer { agentId: string; name: string; typing: boolean }
export interface FeedEvent { type: string; ticketNumber: number; actor: string; at: string }
type Ack = (answer: { ok: true } | { ok: false; code: string }) => void;

interface ServerEvents {
  'ticket:event': (event: FeedEvent) => void;
  presence: (presence: { ticketNumber: number; viewers: Viewer[] }) => void;
}
interface ClientEvents {
  'ticket:view': (ticketNumber: unknown, ack?: Ack) => void;
  'ticket:typing': (typing: unknown) => void;
}
interface SocketData { agentId: string; name: string; viewing: number | null; typing: boolean }

const viewArg = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable();
const typingArg = z.boolean();

export interface LiveFeedDeps {
  agents: AgentDirectory;
  publisher: { subscribe(listener: (event: TicketEvent) => void): () => void };
  /** The server secret: checks the CSRF token a browser sends with its session cookie. */
  secret: string;
  logger: Logger;
}

/** Attaches `/console` to the socket.io server; the returned function stops the feed. */
export function attachLiveFeed(io: Server, deps: LiveFeedDeps): () => void {
  const ns = io.of(CONSOLE_NAMESPACE) as unknown as Namespace<ClientEvents, ServerEvents, Record<string, never>, SocketData>;
  const cookies = new SessionCookies({ secret: deps.secret, secure: false });

  ns.use((socket, next) => {
    agentOfSocket(socket, deps.agents, cookies).then((agent) => {
      if (!agent) return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized' } }));
      socket.data = { agentId: agent.id, name: agent.displayName, viewing: null, typing: false };
      next();
    }, (err: unknown) => {
      deps.logger.warn({ err }, 'console socket authentication failed');
      next(Object.assign(new Error('unavailable'), { data: { code: 'unavailable' } }));
    });
  });

  /** Tells everyone on a ticket who is there; one entry per agent (an agent may have two tabs open). */
  async function announce(ticketNumber: number): Promise<void> {
    const sockets = await ns.in(ticketRoom(ticketNumber)).fetchSockets();
    const viewers = new Map<string, Viewer>();
    for (const s of sockets) {
      const seen = viewers.get(s.data.agentId);
      viewers.set(s.data.agentId, { agentId: s.data.agentId, name: s.data.name, typing: Boolean(seen?.typing || s.data.typing) });
    }
    ns.to(ticketRoom(ticketNumber)).emit('presence', { ticketNumber, viewers: [...viewers.values()] });
  }
  const announceSafely = (n: number) => { announce(n).catch((err: unknown) => deps.logger.warn({ err, ticket: n }, 'presence update failed')); };

  ns.on('connection', (socket) => {
    void socket.join(QUEUE_ROOM);

    socket.on('ticket:view', async (raw, ack) => {
      const parsed = viewArg.safeParse(raw);
      if (!parsed.success) return ack?.({ ok: false, code: 'invalid_request' });
      const before = socket.data.viewing;
      if (before === parsed.data) return ack?.({ ok: true });
      if (before !== null) await socket.leave(ticketRoom(before));
      socket.data.viewing = parsed.data;
      socket.data.typing = false;
      if (parsed.data !== null) await socket.join(ticketRoom(parsed.data));
      ack?.({ ok: true });
      if (before !== null) announceSafely(before);
      if (parsed.data !== null) announceSafely(parsed.data);
    });

    socket.on('ticket:typing', (raw) => {
      const parsed = typingArg.safeParse(raw);
      // Only a change is news: a client repeating itself costs nothing.
      if (!parsed.success || socket.data.viewing === null || socket.data.typing === parsed.data) return;
      socket.data.typing = parsed.data;
      announceSafely(socket.data.viewing);
    });

    socket.on('disconnect', () => {
      if (socket.data.viewing !== null) announceSafely(socket.data.viewing);
    });
  });

  return deps.publisher.subscribe((event) => {
    ns.to(QUEUE_ROOM).emit('ticket:event', { type: event.type, ticketNumber: event.ticketNumber, actor: event.actor, at: event.at.toISOString() });
  });
}
