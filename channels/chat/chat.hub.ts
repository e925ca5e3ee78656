/**
 * What both namespaces share: the conversation log, the per-conversation lock, and the fan-out of
 * new lines. Each visitor socket has a cursor (the last seq it was sent). A line this process just
 * stored goes straight to the sockets whose cursor is the line before it, with no read; a socket
 * that is behind (a replay in progress, a line stored by another process, told over Redis) is
 * caught up by its own pump, which reads what follows its cursor from the log. Either way a socket
 * sees every line once and in order.
 */
import type { Namespace, Socket } from 'socket.io';
import { CoalescedRun, type ChatEntry, type ChatKeyClaim, type ChatLogRepository, type Logger } from '../../src/core/index.ts';
import type { AgentData, AgentToServer, InterServer, ServerToAgent, ServerToVisitor, VisitorData, VisitorToServer } from './chat.events.ts';
import { toAgentMessage, toChatMessage } from './chat-message.ts';
import { KeyedLock } from './keyed-lock.ts';
import type { TaskLock } from './shared-lock.ts';
import { AGENTS_ROOM, conversationRoom } from './rooms.ts';

export type VisitorNamespace = Namespace<VisitorToServer, ServerToVisitor, InterServer, VisitorData>;
export type VisitorSocket = Socket<VisitorToServer, ServerToVisitor, InterServer, VisitorData>;
export type AgentNamespace = Namespace<AgentToServer, ServerToAgent, InterServer, AgentData>;
export type AgentSocket = Socket<AgentToServer, ServerToAgent, InterServer, AgentData>;

const PAGE = 200;

/** A visitor socket's delivery: lines offered live, and a pump that reads what it missed. */
interface Pump {
  offer(entry: ChatEntry): void;
  request(): void;
}

export class ChatHub {
  private readonly pumps = new Map<string, Pump>();

  constructor(
    readonly log: ChatLogRepository,
    readonly visitors: VisitorNamespace,
    readonly agents: AgentNamespace,
    private readonly logger: Logger,
    /** Several processes share rooms (Redis): tell the others about new lines. */
    private readonly shared: boolean,
    /** One writer per conversation at a time: in this process, or across processes with Redis. */
    readonly lock: TaskLock = new KeyedLock(),
  ) {
    // Another process stored lines in a conversation: pump them to our sockets there.
    visitors.on('lines', (conversationId: string) => this.pumpLocal(conversationId));
  }

  /** Appends a line under the conversation's lock; a new one is fanned out to visitors and agents. */
  async append(conversationId: string, line: Omit<ChatEntry, 'seq'>, opened = false): Promise<{ entry: ChatEntry; duplicate: boolean }> {
    return this.lock.run(conversationId, () => this.appendHeld(conversationId, line, opened));
  }

  /** `append` for a caller that already holds the conversation's lock (and may have claimed the line's key). */
  async appendHeld(conversationId: string, line: Omit<ChatEntry, 'seq'>, opened = false, claim?: ChatKeyClaim): Promise<{ entry: ChatEntry; duplicate: boolean }> {
    const result = await this.log.append(conversationId, line, claim);
    if (!result.duplicate) {
      this.linesAdded(conversationId, result.entry);
      this.agents.to(AGENTS_ROOM).emit('message', toAgentMessage(result.entry));
      if (opened) {
        this.agents.to(AGENTS_ROOM).emit('conversation:new', {
          ticketNumber: result.entry.ticketNumber, visitorId: conversationId, text: result.entry.text, at: result.entry.at.toISOString(),
        });
      }
    }
    return result;
  }

  /** Sends a socket every line after its cursor, then keeps it current (called on connect). */
  attach(socket: VisitorSocket): void {
    const send = (line: ChatEntry) => {
      // Only the very next line: one already sent, or one after a gap the pump fills first, is not sent now.
      if (socket.disconnected || line.seq !== socket.data.cursor + 1) return false;
      socket.emit('message', toChatMessage(line));
      socket.data.cursor = line.seq;
      socket.data.ticketNumber = line.ticketNumber;
      return true;
    };
    const run = new CoalescedRun(async () => {
      try {
        for (;;) {
          if (socket.disconnected) return;
          const lines = await this.log.after(socket.data.visitorId, socket.data.cursor, PAGE);
          // A line offered live while this read was out may have moved the cursor already.
          for (const line of lines) if (line.seq > socket.data.cursor) send(line);
          if (lines.length < PAGE) return;
        }
      } catch (err) {
        // The next line (or reconnect) pumps again from the same cursor: nothing is skipped.
        this.logger.warn({ err, visitorId: socket.data.visitorId }, 'chat replay failed');
      }
    });
    this.pumps.set(socket.id, {
      offer: (entry) => { if (entry.seq > socket.data.cursor && !send(entry)) run.request(); },
      request: () => run.request(),
    });
    socket.on('disconnect', () => { this.pumps.delete(socket.id); });
    run.request();
  }

  private linesAdded(conversationId: string, entry: ChatEntry): void {
    for (const id of this.socketsOf(conversationId)) this.pumps.get(id)?.offer(entry);
    // Only other processes hear this.
    if (this.shared) this.visitors.serverSideEmit('lines', conversationId);
  }

  private pumpLocal(conversationId: string): void {
    for (const id of this.socketsOf(conversationId)) this.pumps.get(id)?.request();
  }

  private socketsOf(conversationId: string): Iterable<string> {
    return this.visitors.adapter.rooms.get(conversationRoom(conversationId)) ?? [];
  }

  /** Agents online on every gateway process. */
  async agentsOnline(): Promise<number> {
    return (await this.agents.in(AGENTS_ROOM).fetchSockets()).length;
  }

  async broadcastPresence(): Promise<void> {
    try {
      this.visitors.emit('presence', { agentsOnline: await this.agentsOnline() });
    } catch (err) {
      this.logger.warn({ err }, 'chat presence broadcast failed');
    }
  }

  /** Whether the visitor of this conversation has a socket on any process. */
  async visitorConnected(conversationId: string): Promise<boolean> {
    return (await this.visitors.in(conversationRoom(conversationId)).fetchSockets()).length > 0;
  }
}
