/**
 * What both namespaces share: the conversation log, the per-conversation lock, and the fan-out of
 * new lines. A line is pushed to a visitor's sockets by each socket's own pump, which sends what
 * follows that socket's cursor, read from the log: so a socket sees every line once and in order,
 * whether it came live, during a replay, or on another gateway process (told over Redis).
 */
import type { Namespace, Socket } from 'socket.io';
import { CoalescedRun, type ChatEntry, type ChatLogRepository, type Logger } from '../../src/core/index.ts';
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

export class ChatHub {
  private readonly pumps = new Map<string, CoalescedRun>();

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
    const result = await this.lock.run(conversationId, () => this.log.append(conversationId, line));
    if (!result.duplicate) {
      this.linesAdded(conversationId);
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
    const run = new CoalescedRun(async () => {
      try {
        for (;;) {
          if (socket.disconnected) return;
          const lines = await this.log.after(socket.data.visitorId, socket.data.cursor, PAGE);
          for (const line of lines) {
            socket.emit('message', toChatMessage(line));
            socket.data.cursor = line.seq;
            socket.data.ticketNumber = line.ticketNumber;
          }
          if (lines.length < PAGE) return;
        }
      } catch (err) {
        // The next line (or reconnect) pumps again from the same cursor: nothing is skipped.
        this.logger.warn({ err, visitorId: socket.data.visitorId }, 'chat replay failed');
      }
    });
    this.pumps.set(socket.id, run);
    socket.on('disconnect', () => { this.pumps.delete(socket.id); });
    run.request();
  }

  private linesAdded(conversationId: string): void {
    this.pumpLocal(conversationId);
    // Only other processes hear this.
    if (this.shared) this.visitors.serverSideEmit('lines', conversationId);
  }

  private pumpLocal(conversationId: string): void {
    for (const id of this.visitors.adapter.rooms.get(conversationRoom(conversationId)) ?? []) this.pumps.get(id)?.request();
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
