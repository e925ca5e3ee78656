/**
 * Fans ticket events out to agents by mail, OFF the ingest path. Why a durable pass rather than
 * queuing the mails inside ingest: ingest has a budget of database commands per mail, and who
 * wants a mail depends on agents, tiers and switches that have nothing to do with storing the
 * message. The event ingest (or TicketActions) records anyway is stored as pending in that same
 * write (EventRepository.record: a small queue of pending events), so telling agents costs the
 * hot path no command at all; this pass then reads the pending events, queues the mails
 * (deterministic outbox ids) and hands the events to the audit trail. A crash between the two
 * only repeats the queuing, which changes nothing. A pass costs what is pending, not what was
 * ever recorded. Every process runs the
 * pass: on a timer for events of other processes, and at once after its own (the publisher).
 */
import { isTransient } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { PollingPass } from '../polling-pass.ts';
import type { Clock, EventRepository, TicketEvent } from '../ports.ts';
import { agentFanoutWanted, type AgentNotifier } from './agent-notifier.ts';

export interface AgentFanoutDeps {
  events: Pick<EventRepository, 'pendingFanout' | 'fanoutDone'>;
  notifier: AgentNotifier;
  clock: Clock;
  logger: Logger;
  pollIntervalMs: number;
  /** Called after mails were queued (the composition root kicks the outbox). */
  onQueued?: () => void;
  /**
   * Whether an event of this type was queued for the pass (the event repository's own test, e.g.
   * agentsMayBeNotified over the roster); without it, every notifying type prompts a pass.
   */
  queues?: (eventType: string) => Promise<boolean>;
}

const BATCH = 50;

export class AgentFanout {
  private readonly pass: PollingPass;

  constructor(private readonly deps: AgentFanoutDeps) {
    this.pass = new PollingPass(() => this.runDue(), deps.pollIntervalMs, deps.logger, 'agent notification');
  }

  start(): void {
    this.pass.start();
  }

  stop(): Promise<void> {
    return this.pass.stop();
  }

  /**
   * A live listener: an event of this process that was queued for agents prompts a pass now. One
   * that went straight to the audit trail does not (the pass would read an empty queue per mail).
   */
  listener(): (event: TicketEvent) => void {
    return (event) => {
      if (!agentFanoutWanted(event.type)) return;
      if (!this.deps.queues) { this.pass.request(); return; }
      // Unsure (the roster could not be read): a pass costs one read of the queue.
      this.deps.queues(event.type).then((queued) => { if (queued) this.pass.request(); }, () => this.pass.request());
    };
  }

  /** Handles every pending event (in batches); returns how many mails were queued. */
  async runDue(): Promise<number> {
    let queued = 0;
    for (;;) {
      const batch = await this.deps.events.pendingFanout(BATCH);
      const handled: typeof batch = [];
      for (const event of batch) {
        try {
          queued += await this.deps.notifier.notify(event, this.deps.clock.now());
        } catch (err) {
          // The database is away: the next pass tries again. Anything else would fail the same
          // way forever: log it and let the event go, so one bad event never blocks the others.
          if (isTransient(err)) throw err;
          this.deps.logger.error({ err, event: event.id, type: event.type }, 'agent notification failed; event skipped');
        }
        handled.push(event);
      }
      // A crash before this only repeats the queuing above, which changes nothing.
      await this.deps.events.fanoutDone(handled);
      if (queued) this.deps.onQueued?.();
      if (batch.length < BATCH || !handled.length) return queued;
    }
  }
}
