/**
 * The core's IntakeSink: files one inbound message as a new ticket or onto an existing one.
 *
 * There are no transactions (FerretDB 1.x has none, a standalone MongoDB neither), so the write
 * order makes every crash recoverable by simply calling `ingest` again with the same message:
 *   1. contact (deterministic id)       3. ticket (unique originKey; its id was known in step 2)
 *   2. message with complete=false      4. ticket touch, audit event, follow-up mail (all idempotent)
 *      (unique channel+externalId)      5. message complete=true  -> from now on a repeat is `duplicate`
 * The message goes in before a new ticket, so no ticket ever exists without its message: a repeat
 * that finds the message still incomplete creates the ticket if needed and redoes step 4 and 5.
 * A failure that is not a database outage (or the same one N times) quarantines the message
 * (poison-mail.handler.ts) instead of blocking its channel.
 *
 * Which role the message plays (customer, agent, bounce) is decided once, in `place`, and stored on
 * the message; step 4 is that role's handler (the customer step here, AgentReplyHandler, BounceHandler).
 */
import type { Acknowledger, OutboundCopy } from './mail/acknowledger.ts';
import type { AgentReplyHandler } from './mail/agent-reply.handler.ts';
import type { BounceHandler } from './mail/bounce.handler.ts';
import { crashPoint, faultPoint } from './crash-points.ts';
import { untagged } from './mail/subject-tag.ts';
import { isTransient, TransientError } from './errors.ts';
import type { Logger } from './logger.ts';
import { AUTOMAIL_STOPPED } from './mail/loop-guard.ts';
import { boundBody, capRecipients, contentHash, MAX_STORED_RECIPIENTS } from './message-body.ts';
import { capParticipants, PARTICIPANTS_CAPPED } from './participant-cap.ts';
import type { Clock, EventPublisher, IntakeSink, NewTicket, QuarantineInput, Repositories } from './ports.ts';
import { PoisonMailHandler } from './poison-mail.handler.ts';
import { ownMailReason } from './mail/own-mail.ts';
import type { TokenKeys } from './mail/reply-token.ts';
import { roleOf, type MessageRole, type RoleContext, type RoleHandler, type RoleOutcome } from './message-role.ts';
import type { ProgressEnquiries } from './enquiry/progress-enquiry.service.ts';
import type { IntakeRules, RuleOutcome } from './rules/intake-rules.service.ts';
import type { ThreadResolver } from './thread-resolver.ts';
import { CHANNEL_IDENTITY, type Contact, type Decision, type Identity, type InboundMessage, type IngestResult, type StoredMessage, type Ticket } from './types.ts';

export interface IngestSettings {
  /** Addresses that are ours (support address, aliases): their mail never opens a ticket. */
  ownAddresses: string[];
  /** Domain of our Message-IDs, and the keys that sign the token in them: mail carrying one came from us. */
  messageIdDomain: string;
  keys: TokenKeys;
  defaultLocale: Ticket['locale'];
  ticketBreakerLimit: number;
  ticketBreakerWindowMs: number;
  reopenWindowMs: number;
  /** A transiently failing message is quarantined after this many failures the same way. */
  maxIngestAttempts: number;
  /** Text or HTML bodies over this many bytes are stored as blobs, with a preview this long. */
  bodyPreviewBytes: number;
  maxParticipantsPerMail: number;
  maxParticipantsPerTicket: number;
}

export interface IngestDeps {
  repos: Repositories;
  resolver: ThreadResolver;
  acknowledger: Acknowledger;
  bounces: BounceHandler;
  agentReplies: AgentReplyHandler;
  clock: Clock;
  logger: Logger;
  settings: IngestSettings;
  /** Live listeners hear of each stored message (a chat visitor sees their mail in the chat). */
  publisher?: EventPublisher;
  /** The admins' intake rules: what they set on a ticket a message opens. */
  rules?: IntakeRules;
  /**
   * After a new ticket's acknowledgement decision, before the message is marked complete (so a
   * retry runs it again: it must be idempotent). The knowledge base offers articles in chat here.
   */
  onTicketOpened?: (ticket: Ticket, message: InboundMessage, at: Date) => Promise<unknown>;
  /** Answers a participant's "status #123" automatically. */
  enquiries?: ProgressEnquiries;
}

/** Where a message goes: an existing ticket, or a new one that is created only after the message is stored. */
type Placement = { ticket: Ticket | NewTicket; opens: boolean; flagged: boolean; decision: Decision; role: MessageRole; rule?: RuleOutcome | null };

const thread = (rule: string, detail: string): Decision => ({ step: 'thread', rule, detail });

const customerEventType = (stored: StoredMessage) => (stored.opensTicket ? 'ticket.created' : 'message.appended');

/** What ingest looked up before placing the message (undefined: not looked up, placement reads it). */
interface LookedUp { conversationTicket?: Ticket | null }

export class IngestService implements IntakeSink {
  private readonly own: Set<string>;
  private readonly poison: PoisonMailHandler;
  private readonly roles: Record<MessageRole, RoleHandler>;

  constructor(private readonly deps: IngestDeps) {
    this.own = new Set(deps.settings.ownAddresses.map((a) => a.toLowerCase()));
    this.poison = new PoisonMailHandler(deps.repos, deps.clock, deps.logger.child({ component: 'poison' }), { maxAttempts: deps.settings.maxIngestAttempts });
    this.roles = { customer: { finish: (ctx) => this.finishCustomer(ctx) }, agent: deps.agentReplies, bounce: deps.bounces };
  }

  async ingest(message: InboundMessage): Promise<IngestResult> {
    try {
      return await this.ingestOnce(message, contentHash(message));
    } catch (err) {
      return this.poison.handle(message, err, isTransient(err));
    }
  }

  async quarantine(item: QuarantineInput): Promise<{ id: string; duplicate: boolean }> {
    try {
      const blob = 'blob' in item ? item.blob : await this.deps.repos.blobs.put(item.raw, { filename: 'message.eml', contentType: 'message/rfc822' });
      return await this.deps.repos.quarantine.add({
        channel: item.channel, reason: item.reason, source: item.source, rawBlobId: blob.id, checksum: blob.checksum, size: blob.size,
      }, this.deps.clock.now());
    } catch (err) {
      if (isTransient(err)) throw new TransientError(`store unavailable: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  /** Every identity the channel vouches for (address, channel user id). */
  private identities(message: InboundMessage): Identity[] {
    const { from } = message;
    return [
      ...(from.address ? [{ kind: 'email' as const, value: from.address }] : []),
      ...(from.channelUserId ? [{ kind: CHANNEL_IDENTITY[message.channel], value: from.channelUserId }] : []),
    ];
  }

  /** The sender's contact, by every identity the channel vouches for. */
  private sender(message: InboundMessage, identities: Identity[]): Promise<Contact | null> {
    if (!identities.length) return Promise.resolve(null);
    const { contacts } = this.deps.repos;
    return identities.length === 1 ? contacts.findOrCreate(identities[0]!, message.from.name) : contacts.link(identities, message.from.name);
  }

  private async ingestOnce(delivered: InboundMessage, hash: string): Promise<IngestResult> {
    const ours = ownMailReason(delivered, this.deps.settings);
    if (ours) {
      this.deps.logger.child({ channel: delivered.channel, externalId: delivered.externalId }).info({ reason: ours }, 'ignored mail from ourselves');
      return { outcome: 'ignored', reason: ours };
    }
    const identities = this.identities(delivered);
    // A conversation's ticket (chat) is found by the conversation id, not by the sender: both are
    // looked up at once. Not when finding the sender may merge two contacts (several identities):
    // the merge moves tickets' participants, so the ticket is read after it.
    const conversation = identities.length <= 1 ? this.deps.resolver.conversationTicket(delivered) : undefined;
    const [contact, conversationTicket] = await Promise.all([this.sender(delivered, identities), conversation]);
    return this.store(delivered, hash, contact, { conversationTicket });
  }

  /**
   * Places the message and inserts it: the insert is the duplicate check (its `_id` derives from
   * channel and externalId), so a new message costs no lookup first. A duplicate key means it is
   * stored: a finished one is a duplicate, an unfinished one (a crash, a concurrent ingest) is
   * finished here, and a different mail under a Message-ID we hold is stored as its own, flagged.
   */
  private async store(message: InboundMessage, hash: string, contact: Contact | null, ahead: LookedUp, reused?: Decision): Promise<IngestResult> {
    const { repos } = this.deps;
    const log = this.deps.logger.child({ channel: message.channel, externalId: message.externalId });
    const placement = await this.place(message, contact, ahead);
    const stored = placement ? await this.record(message, hash, contact, placement, reused) : null;
    if (placement && stored) {
      crashPoint('ingest.after-message-insert');
      return this.finish(message, stored, contact, log, placement.ticket);
    }
    const known = await repos.messages.byExternalId(message.channel, message.externalId);
    if (!known) {
      if (!placement) return { outcome: 'ignored', reason: 'bounce about no message of ours and no ticket' };
      throw new TransientError('message vanished after a duplicate-key insert');
    }
    if (known.contentHash && known.contentHash !== hash && !reused) {
      // A different mail under a Message-ID we already hold: store it as its own, flagged message.
      const rekeyed = { ...message, externalId: `${message.externalId}#${hash.slice(0, 16)}` };
      return this.store(rekeyed, hash, contact, ahead, {
        step: 'classify', rule: 'message-id-reused', detail: `Message-ID ${message.externalId} already names a different stored mail`,
      });
    }
    if (known.complete) return { outcome: 'duplicate', ticketNumber: known.ticketNumber, ticketId: known.ticketId, reason: 'already stored' };
    return this.finish(message, known, contact, log);
  }

  /** Inserts the message (complete=false); null when it is stored already. */
  private async record(message: InboundMessage, hash: string, contact: Contact | null, placement: Placement, reused: Decision | undefined): Promise<StoredMessage | null> {
    const { repos, settings } = this.deps;
    const { ticket } = placement;
    const body = await boundBody(message, settings.bodyPreviewBytes, repos.blobs);
    const existing = 'id' in ticket ? ticket : null;
    const stored: Omit<StoredMessage, 'id' | 'createdAt'> = {
      ticketId: existing ? existing.id : repos.tickets.idForOrigin((ticket as NewTicket).originKey), ticketNumber: existing?.number ?? 0,
      direction: placement.role === 'agent' ? 'outbound' : 'inbound',
      channel: message.channel, externalId: message.externalId, rfcMessageId: message.messageId, fromContactId: contact?.id,
      from: message.from, to: capRecipients(message.to), cc: capRecipients(message.cc), subject: message.subject, ...body,
      attachments: message.attachments, classification: message.classification, rawBlobId: message.rawBlobId, complete: false,
      decisions: [
        { step: 'classify', rule: message.classification, detail: message.classificationReason }, ...(reused ? [reused] : []), placement.decision,
        ...(placement.rule ? [placement.rule.decision] : []),
      ],
      opensTicket: placement.opens, flagged: placement.flagged || Boolean(reused), contentHash: hash,
      ...(message.to.length > MAX_STORED_RECIPIENTS || message.cc.length > MAX_STORED_RECIPIENTS ? { recipientCounts: { to: message.to.length, cc: message.cc.length } } : {}),
      ...(!existing && 'linkedTicketNumbers' in ticket && ticket.linkedTicketNumbers?.length ? { linkedTicketNumbers: ticket.linkedTicketNumbers } : {}),
      role: placement.role, ...(placement.role === 'agent' ? this.deps.agentReplies.storedFields(message) : {}),
    };
    if (placement.role === 'agent' && existing && !stored.internal) {
      // The customer sees our mail, not the agent's: thread on our Message-ID (set before insert).
      const outbound = await this.deps.agentReplies.compose(existing, message);
      if (outbound) stored.rfcMessageId = outbound.messageId;
    }
    faultPoint('ingest.before-message-insert');
    return repos.messages.insert(stored);
  }

  /** Finds the ticket this message belongs on (or describes the new one), and says why. */
  private async place(message: InboundMessage, contact: Contact | null, ahead: LookedUp): Promise<Placement | null> {
    const { repos, resolver, bounces, agentReplies } = this.deps;
    if (message.classification === 'bounce') {
      const found = await bounces.findOutbound(message);
      const ticket = found ? await repos.tickets.byId(found.entry.ticketId) : null;
      if (found && ticket) {
        return { ticket, opens: false, flagged: false, role: 'bounce', decision: thread(`bounce-${found.rule}`, `delivery report for ${found.entry.messageId}`) };
      }
    }
    const decision = await resolver.resolve(message, contact, ahead.conversationTicket);
    // Backscatter and reports about mail we never sent must not open tickets.
    if (message.classification === 'bounce' && decision.kind === 'new') return null;
    const agentMail = await agentReplies.judge(message, decision);
    if (decision.kind === 'append' && agentMail.verdict === 'agent') {
      return { ticket: decision.ticket, opens: false, flagged: false, role: 'agent', decision: thread('agent-reply', agentMail.detail) };
    }
    if (decision.kind === 'append') {
      const { ticket } = decision;
      const closedAt = ticket.status === 'closed' ? ticket.closedAt : undefined;
      if (!closedAt || this.deps.clock.now().getTime() - closedAt.getTime() <= this.deps.settings.reopenWindowMs) {
        // Mail from an agent's address that is not a proven agent reply is held for review.
        const held = agentMail.verdict === 'unproven';
        return {
          ticket, opens: false, flagged: decision.flagged || held, role: 'customer',
          decision: held ? { ...decision.decision, detail: `${decision.decision.detail}; ${agentMail.detail}` } : decision.decision,
        };
      }
      const rule = await this.rule(message);
      const linked = this.newTicket(message, contact, [ticket.number], rule);
      return { ticket: linked, opens: true, flagged: false, role: 'customer', rule, decision: thread('closed-ticket', `#${ticket.number} was closed ${closedAt.toISOString()}: new ticket linked to it`) };
    }
    const held = agentMail.verdict === 'unproven';
    const rule = await this.rule(message);
    return {
      ticket: this.newTicket(message, contact, [], rule), opens: true, flagged: held, role: 'customer', rule,
      decision: held ? { ...decision.decision, detail: `${decision.decision.detail}; ${agentMail.detail}` } : decision.decision,
    };
  }

  /** The intake rule that fires for a message opening a ticket (only a person's message is routed). */
  private async rule(message: InboundMessage): Promise<RuleOutcome | null> {
    return this.deps.rules ? this.deps.rules.decide(message) : null;
  }

  private newTicket(message: InboundMessage, contact: Contact | null, linked: number[], rule: RuleOutcome | null): NewTicket {
    return {
      originKey: `${message.channel}:${message.externalId}`,
      subject: untagged(message.subject),
      channel: message.channel,
      // Only a message with no identity at all (no address, no channel user id) has no contact.
      requesterId: contact?.id ?? `anonymous:${message.channel}:${message.externalId}`,
      participantIds: contact ? [contact.id] : [],
      locale: message.localeHint ?? this.deps.settings.defaultLocale,
      at: this.deps.clock.now(),
      flags: [],
      ...(linked.length ? { linkedTicketNumbers: linked } : {}),
      ...(message.threadHints.conversationId ? { conversationKey: `${message.channel}:${message.threadHints.conversationId}` } : {}),
      ...(rule ? { preset: rule.preset } : {}),
    };
  }

  /**
   * The stored message's ticket; for the message that opens it, created now (idempotent by origin).
   * `placed` is what placement found or described moments ago for a message this call inserted:
   * an existing ticket is used as read, and a new one cannot exist yet (its message was just
   * inserted by us), so nothing is read back.
   */
  private async ticketOf(message: InboundMessage, stored: StoredMessage, contact: Contact | null, placed?: Ticket | NewTicket): Promise<Ticket> {
    if (placed && 'id' in placed) return placed;
    if (placed && stored.opensTicket) {
      const created = await this.deps.repos.tickets.createOnce(placed, { absent: true });
      crashPoint('ingest.after-ticket');
      return created;
    }
    const ticket = await this.deps.repos.tickets.byId(stored.ticketId);
    if (ticket) return ticket;
    if (!stored.opensTicket) throw new TransientError(`ticket ${stored.ticketId} of a stored message is missing`);
    // A replay after a crash between message and ticket: the rules decide again (same message, same list).
    const created = await this.deps.repos.tickets.createOnce(this.newTicket(message, contact, stored.linkedTicketNumbers ?? [], await this.rule(message)));
    crashPoint('ingest.after-ticket');
    return created;
  }

  /** Step 4 and 5: everything after the message exists. Each write is idempotent. */
  private async finish(message: InboundMessage, stored: StoredMessage, contact: Contact | null, log: Logger, placed?: Ticket | NewTicket): Promise<IngestResult> {
    const { repos, clock } = this.deps;
    const at = clock.now();
    const ticket = await this.ticketOf(message, stored, contact, placed);
    const role = roleOf(stored, message);
    const record = (type: string, notes: string[]) => repos.events.record({
      id: `message:${stored.channel}:${stored.externalId}`, ticketId: ticket.id, type,
      actor: contact ? `contact:${contact.id}` : `channel:${stored.channel}`,
      data: { messageId: stored.id, flagged: Boolean(stored.flagged), ...(notes.length ? { delivery: notes } : {}) }, at,
    });
    const context = { message, stored, ticket, contact, at };
    let finished: RoleOutcome;
    if (role === 'customer') {
      // A customer message's event is known before the ticket's touch and needs nothing it returns:
      // both idempotent writes go out at once (completion still waits for both).
      [finished] = await Promise.all([this.finishCustomer(context), record(customerEventType(stored), [])]);
    } else {
      finished = await this.roles[role].finish(context);
      await record(finished.eventType, finished.notes);
    }
    const { eventType, notes, ticket: touched } = finished;
    if (message.classification !== 'human') await this.checkTicketBreaker(ticket, at);
    const fired = stored.opensTicket ? stored.decisions.find((d) => d.step === 'rule') : undefined;
    if (fired) {
      await repos.events.record({ id: `rule:${ticket.id}`, ticketId: ticket.id, type: 'ticket.rule-applied', actor: `rule:${fired.rule}`, data: { rule: fired.rule, detail: fired.detail }, at });
    }
    let ackDecision: Decision | undefined;
    let ackCopy: OutboundCopy | undefined;
    if (stored.opensTicket) {
      // The ticket as this ingest left it (the role's touch applied): nothing to read back. A
      // replay (placed unset) re-reads it, since the breaker of an earlier attempt may have tripped.
      const fresh = placed ? (touched ?? ticket) : ((await repos.tickets.byId(ticket.id)) ?? ticket);
      ({ decision: ackDecision, copy: ackCopy } = await this.deps.acknowledger.decide(fresh, message, contact, at, { firstAttempt: Boolean(placed), replay: !placed }));
      await this.deps.onTicketOpened?.(fresh, message, at);
    }
    // Queued once per message (the outbox id is the message's): a replay does not answer twice.
    if (role === 'customer' && contact && !stored.flagged) await this.deps.enquiries?.answer({ message, stored, filedOn: ticket, contact, at });
    crashPoint('ingest.before-complete');
    // The acknowledgement's decision and copy are stored with completion: until then a replay decides again.
    await repos.messages.markComplete(stored.channel, stored.externalId, ticket.number, ackDecision, ackCopy);
    this.deps.publisher?.publish({
      type: eventType, ticketId: ticket.id, ticketNumber: ticket.number, actor: contact ? `contact:${contact.id}` : `channel:${stored.channel}`,
      data: { messageId: stored.id, channel: stored.channel, role }, at,
      // A customer message placed by this call: the ticket as placed and touched here is current.
      ...(role === 'customer' && placed ? { ticket: touched ?? ticket } : {}),
    });
    const outcome = stored.opensTicket ? 'created' : 'appended';
    log.info({ ticket: ticket.number, outcome, role }, `message ${outcome}`);
    const why = stored.decisions.find((d) => d.step === 'thread')?.detail ?? outcome;
    return { outcome, ticketNumber: ticket.number, ticketId: ticket.id, reason: notes.length ? `${why}: ${notes.join(', ')}` : why };
  }

  /** The customer role: participants (capped) unless flagged; a person answering reopens the ticket. */
  private async finishCustomer({ message, stored, ticket, contact, at }: RoleContext): Promise<RoleOutcome> {
    const { repos, settings } = this.deps;
    const sender = { inMail: Boolean(contact), newToTicket: Boolean(contact && !ticket.participantIds.includes(contact.id)) };
    const capped = capParticipants(message.cc, this.own, sender, ticket.participantIds.length, {
      perMail: settings.maxParticipantsPerMail, perTicket: settings.maxParticipantsPerTicket,
    });
    const ccContacts = stored.flagged ? [] : await Promise.all(capped.keep.map((a) => repos.contacts.findOrCreateByEmail(a)));
    const participants = [contact?.id, ...ccContacts.map((c) => c.id)].filter((id): id is string => Boolean(id));
    const overflow = !stored.flagged && capped.dropped > 0;
    if (overflow) {
      await repos.events.record({
        id: `participants:${stored.channel}:${stored.externalId}`, ticketId: ticket.id, type: 'participants.capped', actor: 'system',
        data: { added: ccContacts.length, leftOut: capped.dropped, leftOutSample: capped.droppedSample }, at,
      });
    }
    // A person answering reopens the ticket; an auto-responder does not.
    const reopen = !stored.opensTicket && message.classification === 'human' && ['pending', 'resolved'].includes(ticket.status);
    const change = {
      participantIds: (stored.flagged ? [] : participants).filter((id) => !ticket.participantIds.includes(id)),
      flags: [...(stored.flagged ? ['needs-review'] : []), ...(overflow ? [PARTICIPANTS_CAPPED] : [])].filter((f) => !ticket.flags.includes(f)),
      ...(reopen ? { status: 'open' as const } : {}),
      at,
    };
    const eventType = customerEventType(stored);
    // The ticket this message opens was created with its sender and times: touch it only to add more.
    if (stored.opensTicket && !change.participantIds.length && !change.flags.length) return { eventType, notes: [], ticket };
    await repos.tickets.touch(ticket.id, change);
    const touched: Ticket = {
      ...ticket, participantIds: [...ticket.participantIds, ...change.participantIds], flags: [...ticket.flags, ...change.flags],
      ...(reopen ? { status: 'open' as const } : {}), updatedAt: at, lastMessageAt: at,
    };
    return { eventType, notes: [], ticket: touched };
  }

  /** Many automatic messages on one ticket in a short time: a loop. Stop all automatic mail for it. */
  private async checkTicketBreaker(ticket: Ticket, at: Date): Promise<void> {
    const { settings, repos } = this.deps;
    const since = new Date(at.getTime() - settings.ticketBreakerWindowMs);
    const count = await repos.messages.countAutomaticSince(ticket.id, since);
    if (count < settings.ticketBreakerLimit || ticket.flags.includes(AUTOMAIL_STOPPED)) return;
    await repos.tickets.touch(ticket.id, { flags: [AUTOMAIL_STOPPED, 'needs-review'], at });
    await repos.events.record({
      id: `breaker:${ticket.id}:${since.getTime()}`, ticketId: ticket.id, type: 'loop.breaker-tripped', actor: 'system',
      data: { automaticMessages: count, windowMs: settings.ticketBreakerWindowMs }, at,
    });
    this.deps.logger.warn({ ticket: ticket.number, count }, 'ticket breaker tripped: automatic mail stopped');
  }
}
