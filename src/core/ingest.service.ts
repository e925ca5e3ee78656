/**
 * The core's IntakeSink: files one inbound message as a new ticket or onto an existing one.
 *
 * There are no transactions (FerretDB 1.x has none, a standalone MongoDB neither), so the write
 * order makes every crash recoverable by simply calling `ingest` again with the same message:
 *   1. contact (deterministic id)       3. message with complete=false (unique channel+externalId)
 *   2. ticket (unique originKey)        4. ticket touch, audit event, acknowledgement (all idempotent)
 *                                       5. message complete=true  -> from now on a repeat is `duplicate`
 * A repeat that finds the message still incomplete redoes step 4 and 5 only.
 */
import { crashPoint } from './crash-points.ts';
import type { Acknowledger } from './acknowledger.ts';
import { TransientError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Clock, IntakeSink, QuarantineInput, Repositories } from './ports.ts';
import type { ThreadResolver } from './thread-resolver.ts';
import type { Contact, Decision, InboundMessage, IngestResult, StoredMessage, Ticket } from './types.ts';

export interface IngestSettings {
  /** Addresses that are ours (support address, aliases): their mail never opens a ticket. */
  ownAddresses: string[];
  defaultLocale: Ticket['locale'];
}

export interface IngestDeps {
  repos: Repositories;
  resolver: ThreadResolver;
  acknowledger: Acknowledger;
  clock: Clock;
  logger: Logger;
  settings: IngestSettings;
}

export class IngestService implements IntakeSink {
  private readonly own: Set<string>;

  constructor(private readonly deps: IngestDeps) {
    this.own = new Set(deps.settings.ownAddresses.map((a) => a.toLowerCase()));
  }

  async ingest(message: InboundMessage): Promise<IngestResult> {
    try {
      return await this.ingestOnce(message);
    } catch (err) {
      if (isTransient(err)) throw new TransientError(`store unavailable: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  async quarantine(item: QuarantineInput): Promise<{ id: string; duplicate: boolean }> {
    const blob = await this.deps.repos.blobs.put(item.raw, { filename: 'message.eml', contentType: 'message/rfc822' });
    return this.deps.repos.quarantine.add({ ...item, rawBlobId: blob.id, checksum: blob.checksum }, this.deps.clock.now());
  }

  private async ingestOnce(message: InboundMessage): Promise<IngestResult> {
    const { repos, logger } = this.deps;
    const log = logger.child({ channel: message.channel, externalId: message.externalId });
    const known = await repos.messages.byExternalId(message.channel, message.externalId);
    if (known?.complete) {
      return { outcome: 'duplicate', ticketNumber: known.ticketNumber, reason: 'already stored' };
    }
    const sender = message.from.address?.toLowerCase();
    if (!known && sender && this.own.has(sender)) {
      log.info({ sender }, 'ignored mail from our own address');
      return { outcome: 'ignored', reason: `sender ${sender} is one of our own addresses` };
    }
    const contact = message.from.address
      ? await repos.contacts.findOrCreateByEmail({ address: message.from.address, name: message.from.name })
      : null;
    if (known) return this.finish(message, known, contact, log);

    const decision = await this.deps.resolver.resolve(message, contact);
    const decisions: Decision[] = [
      { step: 'classify', rule: message.classification, detail: message.classificationReason },
      decision.decision,
    ];
    const at = this.deps.clock.now();
    let ticket: Ticket;
    if (decision.kind === 'append') {
      ticket = decision.ticket;
    } else {
      const requesterId = contact?.id ?? `anonymous:${message.channel}:${message.externalId}`;
      ticket = await repos.tickets.createOnce({
        originKey: `${message.channel}:${message.externalId}`,
        subject: message.subject.trim() || '(no subject)',
        channel: message.channel,
        requesterId,
        participantIds: contact ? [contact.id] : [],
        locale: message.localeHint ?? this.deps.settings.defaultLocale,
        at,
        flags: [],
      });
    }
    crashPoint('ingest.after-ticket');

    const stored: Omit<StoredMessage, 'id' | 'createdAt'> = {
      ticketId: ticket.id, ticketNumber: ticket.number, direction: 'inbound', channel: message.channel,
      externalId: message.externalId, rfcMessageId: message.messageId, fromContactId: contact?.id,
      from: message.from, to: message.to, cc: message.cc, subject: message.subject, text: message.text,
      html: message.html, visibleText: message.visibleText, attachments: message.attachments,
      classification: message.classification, decisions, rawBlobId: message.rawBlobId, complete: false,
      opensTicket: decision.kind === 'new', flagged: decision.kind === 'append' && decision.flagged,
    };
    if (!(await repos.messages.insert(stored))) {
      // Another process stored it first: take its record and make sure it is finished.
      const winner = await repos.messages.byExternalId(message.channel, message.externalId);
      if (!winner) throw new TransientError('message vanished after a duplicate-key insert');
      if (winner.complete) return { outcome: 'duplicate', ticketNumber: winner.ticketNumber, reason: 'stored concurrently' };
      return this.finish(message, winner, contact, log);
    }
    crashPoint('ingest.after-message-insert');
    const record = await repos.messages.byExternalId(message.channel, message.externalId);
    return this.finish(message, record!, contact, log);
  }

  /** Step 4 and 5: everything after the message exists. Each write is idempotent. */
  private async finish(message: InboundMessage, stored: StoredMessage, contact: Contact | null, log: Logger): Promise<IngestResult> {
    const { repos, clock } = this.deps;
    const at = clock.now();
    const ticket = await repos.tickets.byId(stored.ticketId);
    if (!ticket) throw new TransientError(`ticket ${stored.ticketId} of a stored message is missing`);
    const ccContacts = await Promise.all(
      message.cc.filter((a) => !this.own.has(a.address.toLowerCase())).map((a) => repos.contacts.findOrCreateByEmail(a)),
    );
    const participants = [contact?.id, ...ccContacts.map((c) => c.id)].filter((id): id is string => Boolean(id));
    const reopen = !stored.opensTicket && ['pending', 'resolved'].includes(ticket.status);
    await repos.tickets.touch(ticket.id, {
      participantIds: stored.flagged ? [] : participants,
      flags: stored.flagged ? ['needs-review'] : [],
      status: reopen ? 'open' : undefined,
      at,
    });
    await repos.events.record({
      id: `message:${stored.channel}:${stored.externalId}`, ticketId: ticket.id,
      type: stored.opensTicket ? 'ticket.created' : 'message.appended',
      actor: contact ? `contact:${contact.id}` : `channel:${stored.channel}`,
      data: { messageId: stored.id, flagged: Boolean(stored.flagged), reopened: reopen }, at,
    });
    if (stored.opensTicket) {
      const decision = await this.deps.acknowledger.acknowledge(ticket, message, contact, at);
      await repos.messages.setAckDecision(stored.channel, stored.externalId, decision);
    }
    crashPoint('ingest.before-complete');
    await repos.messages.markComplete(stored.channel, stored.externalId);
    const outcome = stored.opensTicket ? 'created' : 'appended';
    log.info({ ticket: ticket.number, outcome }, `message ${outcome}`);
    return { outcome, ticketNumber: ticket.number, reason: stored.decisions.find((d) => d.step === 'thread')?.detail ?? outcome };
  }
}

/** Errors that mean "the store is not there right now" rather than "this input is bad". */
function isTransient(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  const name = (err as { name?: string })?.name ?? '';
  return /MongoNetwork|MongoServerSelection|MongoNotConnected|MongoTopologyClosed|PoolClosed|MongooseServerSelection/.test(name)
    || /buffering timed out|ECONNREFUSED|connection .* closed/i.test((err as Error)?.message ?? '');
}
