/**
 * Queues the acknowledgement for a new ticket. Only a human sender gets one, only when a trusted
 * verifier did not call the From forged, and only when the loop guard allows it. What it echoes
 * is made safe for a third party (a forged From gets the mail): a capped subject, and the display
 * name only when it carries no link or address. The outbox id is derived from the ticket, so a
 * replayed ingest queues nothing twice; the outbound copy is also stored so replies to it thread.
 */
import { faultPoint } from '../crash-points.ts';
import { composeCustomerMail, type CustomerMailSettings } from './customer-mail.ts';
import type { LoopGuard } from './loop-guard.ts';
import { capEchoedSubject, safeDisplayName } from './echo-safety.ts';
import type { MessageRepository, OutboxRepository, TemplateRenderer, TicketRepository } from '../ports.ts';
import { senderForged } from './sender-authentication.ts';
import type { TokenKeys } from './reply-token.ts';
import { signLinkToken } from '../status-link.ts';
import type { Contact, Decision, InboundMessage, MailOutbound, StoredMessage, Ticket } from '../types.ts';

/**
 * Signed links in the mail for web form tickets: the status page, and the address check that
 * releases an acknowledgement held until the customer proved the address is theirs.
 */
export interface AckLinks {
  publicUrl: string;
  keys: TokenKeys;
  statusTtlMs: number;
  verifyTtlMs: number;
}

export interface AckDeps {
  outbox: OutboxRepository;
  messages: MessageRepository;
  tickets: TicketRepository;
  renderer: TemplateRenderer;
  guard: LoopGuard;
  settings: CustomerMailSettings;
  /** Without it, web form tickets get the plain acknowledgement (no status link, no hold). */
  links?: AckLinks;
  /**
   * Knowledge base articles for the new ticket (recorded as suggestions by the knowledge base);
   * the acknowledgement lists them with their links. Without it, none are suggested.
   */
  suggest?: (ticket: Ticket, message: InboundMessage, at: Date) => Promise<Array<{ problem: string; url: string }>>;
}

const ack = (rule: string, detail: string): Decision => ({ step: 'ack', rule, detail });

export interface AckOptions {
  /** The ticket was created by this very ingest: nothing can be queued for it yet (the outbox is not asked). */
  firstAttempt?: boolean;
  /** A repeat of an ingest that was interrupted: its first attempt may have counted against the limits already. */
  replay?: boolean;
}

/** The copy of a queued outbound mail kept on its ticket (keyed by the outbox id: stored once). */
export type OutboundCopy = Omit<StoredMessage, 'id' | 'createdAt'>;

function copyOf(outbound: MailOutbound): OutboundCopy {
  return {
    ticketId: outbound.ticketId, ticketNumber: outbound.ticketNumber, direction: 'outbound', channel: outbound.channel,
    externalId: `outbox:${outbound.id}`, rfcMessageId: outbound.messageId, from: { address: outbound.from.address },
    to: outbound.to, cc: [], subject: outbound.subject, text: outbound.text, html: outbound.html,
    visibleText: outbound.text, attachments: [], decisions: [], complete: true,
  };
}

export class Acknowledger {
  constructor(private readonly deps: AckDeps) {}

  /**
   * Decides whether to acknowledge, queues the mail (and keeps its copy on the ticket) when yes,
   * and says why either way (see AckOptions for `firstAttempt` and `replay`).
   */
  async acknowledge(ticket: Ticket, message: InboundMessage, requester: Contact | null, at: Date, options: AckOptions = {}): Promise<Decision> {
    const { decision, copy } = await this.decide(ticket, message, requester, at, options);
    if (copy) await this.deps.messages.insert(copy);
    return decision;
  }

  /**
   * As `acknowledge`, but the copy of a queued mail is returned for the caller to store (the
   * ingest stores it with the message's completion, in one round trip). A repeat after a crash
   * finds the queued mail and returns its copy again, so the copy is never lost.
   */
  async decide(ticket: Ticket, message: InboundMessage, requester: Contact | null, at: Date, options: AckOptions = {}): Promise<{ decision: Decision; copy?: OutboundCopy }> {
    const decision = (d: Decision) => ({ decision: d });
    const { outbox, guard } = this.deps;
    if (message.classification !== 'human') return decision(ack('not-human', `classified ${message.classification}`));
    // By the requester's reachable routes, not the channel the message came in on: a form or chat
    // message from someone with an address is acknowledged by mail too.
    const to = (message.from.address ?? requester?.emails[0])?.toLowerCase();
    if (!to || !requester) return decision(ack('no-address', 'requester has no email address'));
    if (senderForged(message.authentication)) {
      return decision(ack('forged-sender', `trusted verifier: spf=${message.authentication?.spf}, dmarc=${message.authentication?.dmarc}`));
    }

    const { links } = this.deps;
    const webform = message.channel === 'webform' && links ? links : undefined;
    // Held: the address gets one verification mail; the acknowledgement follows its click.
    const hold = Boolean(webform && message.holdAcknowledgement);
    const outboxId = hold ? `verify:${ticket.id}` : `ack:${ticket.id}`;
    const queued = options.firstAttempt ? null : await outbox.byId(outboxId);
    if (queued) {
      return {
        decision: ack(hold ? 'held-until-verified' : 'queued', `${hold ? 'verification' : 'acknowledgement'} ${queued.channel === 'email' ? queued.messageId : queued.id} queued`),
        ...(queued.channel === 'email' ? { copy: copyOf(queued as MailOutbound) } : {}),
      };
    }
    const knownSince = new Date(at.getTime() - guard.settings.globalWindowMs);
    // A contact known since before the window is no stranger (its record says so: no ticket scan).
    const knownCustomer = requester.since ? requester.since < knownSince : await this.deps.tickets.requestedBefore(requester.id, knownSince);
    const stop = await guard.check({ ticket, address: to, at, knownCustomer, mailId: outboxId, replay: Boolean(options.replay) });
    if (stop) return decision(stop);
    faultPoint('ack.before-enqueue');
    const name = safeDisplayName(message.from.name);
    const kind = hold ? 'webform-verify' : webform ? 'webform-ack' : 'ack';
    const articles = !hold && this.deps.suggest ? await this.deps.suggest(ticket, message, at) : [];
    const rendered = await this.deps.renderer.render(kind, ticket.locale, {
      ticketNumber: ticket.number, subject: capEchoedSubject(ticket.subject), customerName: name ?? to,
      articles, hasArticles: articles.length > 0,
      ...(webform ? this.linkVars(webform, ticket, hold, at) : {}),
    });
    const outbound = composeCustomerMail(this.deps.settings, {
      id: outboxId, kind: 'ack', ticket, to: [{ address: to, ...(name ? { name } : {}) }],
      rendered, inReplyTo: message.messageId, automatic: true,
      references: [...message.threadHints.references, ...(message.messageId ? [message.messageId] : [])],
    });
    await outbox.enqueue(outbound, at);
    const copy = copyOf(outbound);
    if (hold) return { decision: ack('held-until-verified', `verification ${outbound.messageId} queued; the acknowledgement waits for its link`), copy };
    return { decision: ack('queued', `acknowledgement ${outbound.messageId} queued`), copy };
  }

  private linkVars(links: AckLinks, ticket: Ticket, hold: boolean, at: Date): Record<string, string> {
    const base = links.publicUrl.replace(/\/$/, '');
    if (hold) {
      return { verifyUrl: `${base}/support/verify/${signLinkToken(links.keys, 'verify', ticket.id, new Date(at.getTime() + links.verifyTtlMs))}` };
    }
    return { statusUrl: `${base}/support/t/${signLinkToken(links.keys, 'status', ticket.id, new Date(at.getTime() + links.statusTtlMs))}` };
  }
}
