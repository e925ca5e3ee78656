/**
 * Fires due SLA timers. Every gateway process polls the stored timers; a firing is claimed by
 * inserting `<ticket>:<timer>:<dueAt>` (a unique id: FerretDB makes conditional updates racy, a
 * duplicate insert never), so one process fires it and the others skip it. A warning mails the
 * assignee; a breach escalates the ticket through TicketActions (audited) to the policy's tier or
 * the next one, and mails that tier's agents.
 */
import { PollingPass } from '../polling-pass.ts';
import type { Logger } from '../logger.ts';
import type { Clock, Repositories } from '../ports.ts';
import type { Actor, TicketActions } from '../ticket-actions.service.ts';
import { TIERS, type Tier } from '../types.ts';
import { parseTimerKind, timersOf, type SlaTimer } from './sla-clock.ts';
import type { SlaNotifier } from './sla-notifier.ts';
import type { SlaTracker } from './sla-tracker.ts';
import type { SlaStore } from './sla.ports.ts';

export interface SlaSchedulerDeps {
  store: SlaStore;
  tracker: SlaTracker;
  notifier: SlaNotifier;
  repos: Pick<Repositories, 'tickets' | 'events'>;
  actions: Pick<TicketActions, 'escalate'>;
  clock: Clock;
  logger: Logger;
  warnAtPercent: number;
  pollIntervalMs: number;
  /** Who escalates (the audit trail's actor). */
  actor: Actor;
  /** Called after mails were queued (the composition root kicks the outbox). */
  onQueued?: () => void;
}

const DUE_PER_PASS = 50;

/** L1 -> L2 -> L3; L3 stays. */
export function nextTier(tier: Tier): Tier {
  return TIERS[Math.min(TIERS.indexOf(tier) + 1, TIERS.length - 1)]!;
}

export class SlaScheduler {
  private readonly poller: PollingPass;

  constructor(private readonly deps: SlaSchedulerDeps) {
    this.poller = new PollingPass(() => this.runDue(), deps.pollIntervalMs, deps.logger, 'SLA timer');
  }

  start(): void {
    this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Fires every due timer this process claims; returns how many it fired. */
  async runDue(): Promise<number> {
    const now = this.deps.clock.now();
    let fired = 0;
    for (const timer of await this.deps.store.dueTimers(now, DUE_PER_PASS)) {
      if (await this.fire(timer, now)) fired++;
    }
    if (fired) this.deps.onQueued?.();
    return fired;
  }

  private async fire(timer: SlaTimer, now: Date): Promise<boolean> {
    const { store, tracker, logger } = this.deps;
    const firingId = `${timer.ticketId}:${timer.kind}:${timer.dueAt!.getTime()}`;
    if (!(await store.claimFiring(firingId, timer.ticketId, now))) {
      // Someone else holds this firing: it is theirs to finish, and no longer ours to poll.
      await store.disarm(timer.id, timer.dueAt!);
      return false;
    }
    // The ticket may have moved on in another process (paused, answered): look again before firing.
    const clock = await tracker.track(timer.ticketId);
    const ticket = await this.deps.repos.tickets.byId(timer.ticketId);
    const cal = tracker.calendarOf(clock?.policy);
    const current = clock && timersOf(clock, cal, this.deps.warnAtPercent).find((t) => t.kind === timer.kind);
    if (!clock || !ticket || !current?.dueAt || current.dueAt.getTime() > now.getTime()) {
      logger.info({ ticket: timer.ticketNumber, kind: timer.kind }, 'SLA timer no longer due');
      return false;
    }
    const { target, stage } = parseTimerKind(timer.kind);
    const dueAt = stage === 'warning' ? (timersOf(clock, cal, 100).find((t) => t.kind === `${target}-breach`)?.dueAt ?? current.dueAt) : current.dueAt;
    const marked = { ...clock, [target]: { ...clock[target], [stage === 'warning' ? 'warnedAt' : 'breachedAt']: now }, updatedAt: now };
    await store.save(marked, timersOf(marked, cal, this.deps.warnAtPercent));
    await this.deps.repos.events.record({
      id: `sla:${firingId}`, ticketId: ticket.id, type: stage === 'warning' ? 'sla.warning' : 'sla.breached', actor: this.deps.actor.id,
      data: { target, dueAt: dueAt.toISOString(), policy: clock.policy }, at: now,
    });
    const notice = { firingId, stage, target, dueAt, timeZone: cal.timeZone };
    if (stage === 'warning') {
      const sent = await this.deps.notifier.notify({ ...notice, ticket }, await this.deps.notifier.warningRecipients(ticket), now);
      logger.info({ ticket: ticket.number, target, agents: sent }, 'SLA warning');
      return true;
    }
    const from = ticket.tier ?? 'L1';
    const to = (clock.escalateTo as Tier | null) ?? nextTier(from);
    const reason = `SLA ${target === 'firstResponse' ? 'first response' : 'resolution'} target of policy ${clock.policy} breached (due ${dueAt.toISOString()})`;
    const escalated = to === from ? ticket : await this.deps.actions.escalate(ticket.number, to, reason, this.deps.actor);
    const sent = await this.deps.notifier.notify({ ...notice, ticket: escalated, fromTier: from }, await this.deps.notifier.tierAgents(to), now);
    logger.warn({ ticket: ticket.number, target, from, to, agents: sent }, 'SLA breached');
    return true;
  }
}
