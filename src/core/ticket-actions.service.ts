/**
 * What agents do to a ticket, whoever asks (the REST API, the console, an email command): change
 * status, priority, category, assignee or tier, reply publicly, add an internal note. Each action
 * writes its audit event with the injected clock and tells live listeners through the publisher.
 * Replies and notes carry a caller-chosen request id, so a retried request stores one message.
 * A delivery that failed for good can be resent: once per failure, however often it is asked.
 */
import { deliveryOf } from './delivery-of.ts';
import { ErrorCodes, HelpdeskError } from './errors.ts';
import type { Clock, EventPublisher, Repositories, TicketChange } from './ports.ts';
import type { ReplyComposer } from './reply-composer.ts';
import type { StatusUpdateComposer } from './status-update.composer.ts';
import type { OutboxEntry, Priority, StoredMessage, Ticket, TicketStatus, Tier } from './types.ts';

/**
 * What a resend request came to: `requeued` (queued again now), `already-queued` (it is on its way:
 * a second click, nothing changes), `already-sent` (refused: it was delivered), `not-resendable`
 * (refused: nothing of ours carried it, e.g. a customer's message or a note, or a live line the
 * visitor missed, which their digest mail carries).
 */
export type ResendOutcome =
  | { outcome: 'requeued' | 'already-queued' | 'already-sent'; delivery: OutboxEntry }
  | { outcome: 'not-resendable'; delivery?: OutboxEntry };

/** Who acts: `agent:<id>` (or `agent:api` for the admin token), with the name customers see. */
export interface Actor {
  id: string;
  name?: string;
}

export interface TicketActionsDeps {
  repos: Repositories;
  replies: ReplyComposer;
  clock: Clock;
  publisher: EventPublisher;
  /** Shown to the customer when the actor has no name. */
  supportName: string;
  /** Composes the customer's status updates; without it a status change notifies no one. */
  statusUpdates?: StatusUpdateComposer;
  /** Called after a reply was queued (the composition root kicks the outbox). */
  onQueued?: () => void;
}

export class TicketActions {
  constructor(private readonly deps: TicketActionsDeps) {}

  /** Changes the status; for the statuses switched on, the customer hears about it on their channel. */
  setStatus(number: number, status: TicketStatus, actor: Actor): Promise<Ticket> {
    return this.change(number, actor, 'ticket.status-changed', (t) => t.status === status ? null : { from: t.status, to: status },
      async (t, at) => {
        await this.deps.repos.tickets.setStatus(t.id, status, at);
        await this.queueStatusUpdate(t, status, at);
      });
  }

  /** Queues the status update (if any) and keeps its copy on the ticket, where agents see its delivery. */
  private async queueStatusUpdate(ticket: Ticket, status: TicketStatus, at: Date): Promise<void> {
    const outbound = await this.deps.statusUpdates?.compose(ticket, status, at);
    if (!outbound) return;
    const mail = outbound.channel === 'email' ? outbound : undefined;
    await this.deps.repos.messages.insert({
      ticketId: ticket.id, ticketNumber: ticket.number, direction: 'outbound', channel: outbound.channel, externalId: `outbox:${outbound.id}`,
      from: mail ? { address: mail.from.address } : { name: this.deps.supportName }, to: mail?.to ?? [], cc: [],
      subject: mail?.subject ?? ticket.subject, text: outbound.text, visibleText: outbound.text, attachments: [], decisions: [], complete: true,
      ...(mail ? { rfcMessageId: mail.messageId, html: mail.html } : {}),
    });
    await this.deps.repos.outbox.enqueue(outbound, at);
    this.deps.onQueued?.();
  }

  setPriority(number: number, priority: Priority, actor: Actor): Promise<Ticket> {
    return this.update(number, actor, 'ticket.priority-changed', 'priority', priority);
  }

  setCategory(number: number, category: string | null, actor: Actor): Promise<Ticket> {
    return this.update(number, actor, 'ticket.category-changed', 'category', category);
  }

  assign(number: number, assigneeId: string | null, actor: Actor): Promise<Ticket> {
    return this.update(number, actor, 'ticket.assigned', 'assigneeId', assigneeId);
  }

  /** Moves the ticket to another tier; the reason is kept in the audit event. */
  escalate(number: number, tier: Tier, reason: string, actor: Actor): Promise<Ticket> {
    return this.change(number, actor, 'ticket.escalated', (t) => t.tier === tier ? null : { from: t.tier ?? null, to: tier, reason },
      (t, at) => this.deps.repos.tickets.update(t.id, { tier }, at));
  }

  /** A public reply: stored on the ticket and queued for the customer on their channel. */
  async reply(number: number, requestId: string, text: string, actor: Actor): Promise<StoredMessage> {
    const { repos, clock } = this.deps;
    const ticket = await this.ticket(number);
    const at = clock.now();
    const agentName = actor.name ?? this.deps.supportName;
    const outbound = await this.deps.replies.compose(ticket, { id: `reply:action:${requestId}`, body: text, agentName });
    const mail = outbound?.channel === 'email' ? outbound : undefined;
    const stored = await this.store(ticket, requestId, text, actor, {
      ...(mail ? { rfcMessageId: mail.messageId, to: mail.to, subject: mail.subject } : {}),
    });
    if (stored.complete) return stored;
    if (outbound) await repos.outbox.enqueue(outbound, at);
    if (['new', 'open'].includes(ticket.status)) await repos.tickets.setStatus(ticket.id, 'pending', at);
    await this.audit(ticket, actor, 'agent.replied', { messageId: stored.id, delivery: outbound ? outbound.channel : 'none' }, `reply:${requestId}`);
    await repos.messages.markComplete(ticket.channel, stored.externalId, ticket.number);
    if (outbound) this.deps.onQueued?.();
    return { ...stored, complete: true };
  }

  /** An internal note: on the ticket for agents, never sent, never on a public page. */
  async note(number: number, requestId: string, text: string, actor: Actor): Promise<StoredMessage> {
    const ticket = await this.ticket(number);
    const stored = await this.store(ticket, requestId, text, actor, { internal: true });
    if (stored.complete) return stored;
    await this.audit(ticket, actor, 'agent.noted', { messageId: stored.id }, `note:${requestId}`);
    await this.deps.repos.messages.markComplete(ticket.channel, stored.externalId, ticket.number);
    return { ...stored, complete: true };
  }

  /** Sends a failed delivery of one of the ticket's outbound messages again (audited as delivery.resent). */
  async resend(number: number, messageId: string, actor: Actor): Promise<ResendOutcome> {
    const { repos, clock } = this.deps;
    const ticket = await this.ticket(number);
    const message = (await repos.messages.listByTicket(ticket.id)).find((m) => m.id === messageId);
    if (!message) throw new HelpdeskError(ErrorCodes.NOT_FOUND, `no message ${messageId} on ticket #${number}`);
    const entry = message.direction === 'outbound' && !message.internal ? deliveryOf(message, await repos.outbox.listByTicket(ticket.id)) : undefined;
    if (entry?.status !== 'failed') return entry ? settled(entry) : { outcome: 'not-resendable' };
    const at = clock.now();
    const event = {
      id: `${ticket.id}:delivery.resent:${entry.id}:${entry.attempts}`, ticketId: ticket.id, type: 'delivery.resent', actor: actor.id, at,
      data: { messageId, outboxId: entry.id, channel: entry.channel, attempts: entry.attempts, previousError: entry.lastError ?? null },
    };
    // The audit event first (recording it twice is a no-op): a crash before the requeue leaves a
    // failed entry that the agent's retry requeues under the same event.
    await repos.events.record(event);
    if (!(await repos.outbox.requeueFailed(entry.id, entry.attempts, at))) {
      // Another request for the same failure won, or the entry moved on meanwhile.
      const now = await repos.outbox.byId(entry.id);
      return now ? settled(now) : { outcome: 'not-resendable' };
    }
    this.deps.publisher.publish({ ...event, ticketNumber: ticket.number });
    this.deps.onQueued?.();
    return { outcome: 'requeued', delivery: (await repos.outbox.byId(entry.id)) ?? entry };
  }

  private async ticket(number: number): Promise<Ticket> {
    const ticket = await this.deps.repos.tickets.byNumber(number);
    if (!ticket) throw new HelpdeskError(ErrorCodes.NOT_FOUND, `no ticket #${number}`);
    return ticket;
  }

  private update<K extends keyof TicketChange>(number: number, actor: Actor, type: string, field: K, value: TicketChange[K]): Promise<Ticket> {
    return this.change(number, actor, type, (t) => {
      const current = (t as unknown as Record<string, unknown>)[field] ?? null;
      return current === value ? null : { from: current, to: value };
    }, (t, at) => this.deps.repos.tickets.update(t.id, { [field]: value }, at));
  }

  /** Applies a change unless it changes nothing, records it and publishes it. */
  private async change(
    number: number, actor: Actor, type: string,
    diff: (t: Ticket) => Record<string, unknown> | null, apply: (t: Ticket, at: Date) => Promise<void>,
  ): Promise<Ticket> {
    const ticket = await this.ticket(number);
    const data = diff(ticket);
    if (!data) return ticket;
    const at = this.deps.clock.now();
    await apply(ticket, at);
    await this.audit(ticket, actor, type, data, `${type}:${at.getTime()}`);
    return (await this.deps.repos.tickets.byId(ticket.id))!;
  }

  private async audit(ticket: Ticket, actor: Actor, type: string, data: Record<string, unknown>, key: string): Promise<void> {
    const at = this.deps.clock.now();
    await this.deps.repos.events.record({ id: `${ticket.id}:${key}`, ticketId: ticket.id, type, actor: actor.id, data, at });
    this.deps.publisher.publish({ type, ticketId: ticket.id, ticketNumber: ticket.number, actor: actor.id, data, at });
  }

  /** Inserts the agent's message once per request id; a repeat returns what is stored. */
  private async store(ticket: Ticket, requestId: string, text: string, actor: Actor, extra: Partial<StoredMessage>): Promise<StoredMessage> {
    const { messages } = this.deps.repos;
    const externalId = `action:${requestId}`;
    await messages.insert({
      ticketId: ticket.id, ticketNumber: ticket.number, direction: 'outbound', channel: ticket.channel, externalId,
      from: { name: actor.name ?? this.deps.supportName }, to: [], cc: [], subject: ticket.subject, text, visibleText: text,
      attachments: [], decisions: [], author: 'agent', complete: false, ...extra,
    });
    const stored = await messages.byExternalId(ticket.channel, externalId);
    if (!stored || stored.ticketId !== ticket.id) throw new HelpdeskError(ErrorCodes.MALFORMED, `request id ${requestId} was used for another ticket`);
    return stored;
  }
}

/** A resend's answer for an entry that is not (or no longer) failed. */
function settled(entry: OutboxEntry): ResendOutcome {
  if (entry.status === 'pending' || entry.status === 'sending') return { outcome: 'already-queued', delivery: entry };
  if (entry.status === 'sent') return { outcome: 'already-sent', delivery: entry };
  return entry.status === 'failed' ? { outcome: 'already-queued', delivery: entry } : { outcome: 'not-resendable', delivery: entry };
}
