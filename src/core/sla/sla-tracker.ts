/**
 * Keeps each ticket's SLA clock in step with the ticket: on every ticket event (created, customer
 * or agent message, status, priority or category change) it picks the policy, notes a first public
 * agent reply, stops or resumes the clock with the status, and re-arms the ticket's durable timers.
 * Events of this process are handled one at a time, in order; the stored clock is the record.
 */
import type { Logger } from '../logger.ts';
import type { Clock, EventSource, Repositories, TicketEvent } from '../ports.ts';
import type { Ticket } from '../types.ts';
import { businessTimeBetween, type BusinessCalendar } from './business-calendar.ts';
import { followStatus, timersOf, type SlaClock } from './sla-clock.ts';
import { policyFor, type SlaPolicy, type SlaSettings } from './sla-policy.ts';
import type { SlaStore } from './sla.ports.ts';
import { slaView, type SlaView } from './sla-view.ts';

export interface SlaTrackerDeps {
  store: SlaStore;
  repos: Pick<Repositories, 'tickets' | 'contacts'>;
  settings: SlaSettings;
  clock: Clock;
  logger: Logger;
}

const MINUTE = 60_000;

export class SlaTracker {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SlaTrackerDeps) {}

  /** Follows the events of this process; returns the unsubscribe function. */
  listen(events: EventSource): () => void {
    return events.subscribe((event) => {
      this.chain = this.chain.then(() => this.track(event.ticketId, event)).then(
        () => undefined,
        (err: unknown) => this.deps.logger.error({ err, ticket: event.ticketNumber, type: event.type }, 'SLA clock update failed'),
      );
    });
  }

  /** Resolves once every event heard so far is handled. */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  /** The calendar a clock counts in: its policy's own, else the deployment's. */
  calendarOf(policyName: string | undefined): BusinessCalendar {
    return this.deps.settings.policies.find((p) => p.name === policyName)?.calendar ?? this.deps.settings.calendar;
  }

  /** Brings the ticket's clock and timers up to date (after `event`, when given); null without a policy. */
  async track(ticketId: string, event?: TicketEvent): Promise<SlaClock | null> {
    const { store, repos, settings } = this.deps;
    // The ingest hands over the ticket it just wrote; anything else is read.
    const ticket = event?.ticket?.id === ticketId ? event.ticket : await repos.tickets.byId(ticketId);
    if (!ticket) return null;
    const at = event?.at ?? this.deps.clock.now();
    const policy = await this.policyOf(ticket);
    // A ticket's first event is its creation: it has no clock yet (a replayed creation writes the same start).
    const stored = event?.type === 'ticket.created' ? null : await store.clock(ticketId);
    if (!policy) {
      // No policy (any more): nothing is due.
      if (stored) await store.saveTimers(timersOf({ ...stored, runningSince: null }, settings.calendar, settings.warnAtPercent));
      return stored;
    }
    const cal = policy.calendar ?? settings.calendar;
    let clock: SlaClock = {
      ...(stored ?? {
        ticketId, ticketNumber: ticket.number, usedMs: 0, runningSince: ticket.createdAt, firstResponse: { targetMs: 0 }, resolution: { targetMs: 0 },
      }),
      policy: policy.name,
      escalateTo: policy.escalateTo ?? null,
      updatedAt: at,
    };
    clock.firstResponse = { ...clock.firstResponse, targetMs: policy.firstResponseMinutes * MINUTE };
    clock.resolution = { ...clock.resolution, targetMs: policy.resolutionMinutes * MINUTE };
    if (event?.type === 'agent.replied' && !clock.firstResponse.metAt) clock.firstResponse = { ...clock.firstResponse, metAt: at };
    clock = followStatus(clock, ticket, at, cal);
    await store.save(clock, timersOf(clock, cal, settings.warnAtPercent));
    return clock;
  }

  /** What the ticket detail shows; null when the ticket has no SLA clock. */
  async view(ticketId: string): Promise<SlaView | null> {
    const clock = await this.deps.store.clock(ticketId);
    if (!clock) return null;
    const cal = this.calendarOf(clock.policy);
    const running = clock.runningSince ? businessTimeBetween(clock.runningSince, this.deps.clock.now(), cal) : 0;
    return slaView(clock, cal, clock.usedMs + running);
  }

  private async policyOf(ticket: Ticket): Promise<SlaPolicy | null> {
    // The requester's domains matter only to a policy for a customer domain: else no read.
    const byDomain = this.deps.settings.policies.some((p) => p.domain !== undefined);
    const [requester] = byDomain ? await this.deps.repos.contacts.byIds([ticket.requesterId]) : [];
    const domains = (requester?.emails ?? []).map((e) => e.split('@')[1]?.toLowerCase() ?? '').filter(Boolean);
    return policyFor(this.deps.settings.policies, { priority: ticket.priority, category: ticket.category, domains });
  }
}
