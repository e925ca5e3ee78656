/**
 * Answers "what is the status of #123?" automatically, and only to someone who is a participant of
 * ticket 123 (its requester or a cc'd identity): the current status and the last public reply, in
 * the asker's language, on the asker's channel (a mail in ticket 123's thread, or a line in their
 * chat conversation). Anyone else gets nothing beyond the normal handling of their message, so the
 * answer never tells a stranger whether a ticket exists. The enquiry itself is filed as usual.
 */
import { composeCustomerMail, type CustomerMailSettings } from '../mail/customer-mail.ts';
import { AUTOMAIL_STOPPED } from '../mail/loop-guard.ts';
import type { OutboxRepository, Repositories, TemplateRenderer } from '../ports.ts';
import type { Contact, InboundMessage, Locale, OutboundMessage, StoredMessage, Ticket } from '../types.ts';
import { enquiredTicket } from './enquiry-parser.ts';

/** The last reply is quoted up to this many characters. */
const UPDATE_CHARS = 600;

export interface ProgressEnquiryDeps {
  repos: Pick<Repositories, 'tickets' | 'messages' | 'suppressions'> & { outbox: OutboxRepository };
  renderer: TemplateRenderer;
  mail: CustomerMailSettings;
  onQueued?: () => void;
}

export interface EnquiryInput {
  message: InboundMessage;
  stored: StoredMessage;
  /** The ticket the enquiry was filed on (a chat answer goes to its conversation). */
  filedOn: Ticket;
  contact: Contact;
  at: Date;
}

export class ProgressEnquiries {
  constructor(private readonly deps: ProgressEnquiryDeps) {}

  /** Queues the answer when the message is an enquiry by a participant; says whether it did. */
  async answer({ message, stored, filedOn, contact, at }: EnquiryInput): Promise<boolean> {
    if (message.classification !== 'human') return false;
    const number = enquiredTicket(message.subject, message.visibleText || message.text);
    if (number === null) return false;
    const asked = await this.deps.repos.tickets.byNumber(number);
    if (!asked || (asked.requesterId !== contact.id && !asked.participantIds.includes(contact.id))) return false;
    // A ticket whose automatic mail the loop breaker stopped answers no enquiry either.
    if (asked.flags.includes(AUTOMAIL_STOPPED) || filedOn.flags.includes(AUTOMAIL_STOPPED)) return false;
    const locale: Locale = message.localeHint ?? filedOn.locale;
    const id = `enquiry:${stored.channel}:${stored.externalId}`;
    const outbound = await this.compose(id, asked, filedOn, contact, locale, message, at);
    if (!outbound) return false;
    await this.deps.repos.outbox.enqueue(outbound, at);
    this.deps.onQueued?.();
    return true;
  }

  private async compose(id: string, asked: Ticket, filedOn: Ticket, contact: Contact, locale: Locale, message: InboundMessage, at: Date): Promise<OutboundMessage | null> {
    const history = await this.deps.repos.messages.listByTicket(asked.id);
    const update = history.filter((m) => m.author === 'agent' && m.direction === 'outbound' && !m.internal).at(-1);
    const text = update?.visibleText ?? '';
    const rendered = await this.deps.renderer.render('enquiry', locale, {
      ticketNumber: asked.number, subject: asked.subject, name: contact.name ?? '', status: { [asked.status]: true },
      update: update ? { at: update.createdAt.toISOString().slice(0, 16).replace('T', ' '), text: text.length > UPDATE_CHARS ? `${text.slice(0, UPDATE_CHARS)}…` : text } : null,
    });
    if (message.channel === 'chat') {
      return { id, kind: 'enquiry', channel: 'chat', ticketId: filedOn.id, ticketNumber: filedOn.number, text: rendered.text.trim(), contactId: contact.id };
    }
    const to = message.from.address ?? contact.emails[0];
    if (!to || await this.deps.repos.suppressions.activeFor(to, at)) return null;
    const threaded = history.filter((m) => m.rfcMessageId && !m.internal);
    return composeCustomerMail(this.deps.mail, {
      id, kind: 'enquiry', ticket: asked, to: [{ address: to, ...(contact.name ? { name: contact.name } : {}) }], rendered, automatic: true,
      ...(message.messageId ? { inReplyTo: message.messageId } : {}),
      references: threaded.map((m) => m.rfcMessageId!),
    });
  }
}
