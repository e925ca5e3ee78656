/**
 * What a chat visitor asks for by mail, through the chat channel: leave an address for follow-up
 * mail (kept unverified, see follow-up-address.ts), and a transcript of the conversation, mailed
 * through the outbox in the ticket's language. The visitor is always the one the channel
 * authenticated (its token), never an id from a payload.
 */
import { composeCustomerMail, type CustomerMailSettings } from '../mail/customer-mail.ts';
import type { Clock, Repositories, TemplateRenderer } from '../ports.ts';
import type { StoredMessage } from '../types.ts';
import { admitRecipient, followUpAddress, isMailAddress, visitorIdentity } from './follow-up-address.ts';

export type TranscriptResult = { ok: true; address: string } | { ok: false; code: 'no-email' | 'no-conversation' };

/** A customer's mail on a chat ticket, as a line of the chat (its id keys it there once). */
export interface MailLine {
  id: string;
  text: string;
  at: Date;
}

/** The chat channel's view of this service (injected into channels/chat/offline). */
export interface ChatFollowUpPort {
  /** Attaches a typed address to the visitor for follow-up mail. Throws on an invalid address. */
  setAddress(visitorId: string, address: string): Promise<void>;
  /** Mails the transcript of the visitor's conversation to their address. */
  requestTranscript(visitorId: string): Promise<TranscriptResult>;
  /** What the customer wrote by mail on the visitor's conversation ticket, oldest first. */
  mailLines(visitorId: string): Promise<{ ticketNumber: number; lines: MailLine[] } | null>;
}

/** The ticket of a visitor's chat conversation (the chat channel's conversation is its visitor). */
const conversationKey = (visitorId: string) => `chat:${visitorId}`;

export interface ChatFollowUpDeps {
  repos: Pick<Repositories, 'tickets' | 'contacts' | 'messages' | 'outbox' | 'chatFollowUps'>;
  renderer: TemplateRenderer;
  mail: CustomerMailSettings;
  clock: Clock;
  onQueued?: () => void;
}

/** What the customer saw of the ticket: their messages on any channel and agents' public replies. */
export const isPublicLine = (m: StoredMessage): boolean => !m.internal && (m.direction === 'inbound' ? m.role !== 'bounce' : m.author === 'agent');

const clockTime = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export class ChatFollowUpService implements ChatFollowUpPort {
  constructor(private readonly deps: ChatFollowUpDeps) {}

  async setAddress(visitorId: string, address: string): Promise<void> {
    const normalized = address.trim().toLowerCase();
    if (!isMailAddress(normalized)) throw new Error('invalid address');
    const contact = await this.deps.repos.contacts.findOrCreate(visitorIdentity(visitorId));
    await this.deps.repos.chatFollowUps.setAddress(contact.id, normalized, this.deps.clock.now());
  }

  async requestTranscript(visitorId: string): Promise<TranscriptResult> {
    const { repos, renderer, clock } = this.deps;
    const ticket = await repos.tickets.byConversation(conversationKey(visitorId));
    const contact = await repos.contacts.byIdentity(visitorIdentity(visitorId));
    if (!ticket || !contact) return { ok: false, code: 'no-conversation' };
    const to = await followUpAddress(repos, contact);
    if (!to) return { ok: false, code: 'no-email' };
    const lines = (await repos.messages.listByTicket(ticket.id)).filter(isPublicLine);
    const rendered = await renderer.render('chat-transcript', ticket.locale, {
      ticketNumber: ticket.number, subject: ticket.subject,
      lines: lines.map((m) => ({
        fromCustomer: m.direction === 'inbound', agentName: m.from.name ?? this.deps.mail.supportName,
        at: clockTime(m.createdAt), text: m.visibleText || m.text, byEmail: m.channel === 'email',
      })),
    });
    // One transcript per state of the conversation: asking twice without anything new mails once.
    const id = `transcript:${ticket.id}:${lines.length}`;
    const mail = composeCustomerMail(this.deps.mail, {
      id, kind: 'chat-transcript', ticket, to: [{ address: to, ...(contact.name ? { name: contact.name } : {}) }],
      rendered, references: [], automatic: false,
    });
    await admitRecipient(repos, ticket, to, clock.now());
    await repos.outbox.enqueue(mail, clock.now());
    this.deps.onQueued?.();
    return { ok: true, address: to };
  }

  async mailLines(visitorId: string): Promise<{ ticketNumber: number; lines: MailLine[] } | null> {
    const ticket = await this.deps.repos.tickets.byConversation(conversationKey(visitorId));
    if (!ticket) return null;
    const lines = (await this.deps.repos.messages.listByTicket(ticket.id))
      .filter((m) => m.channel === 'email' && m.direction === 'inbound' && m.role !== 'bounce' && m.classification === 'human' && m.complete)
      .map((m) => ({ id: m.id, text: m.visibleText || m.text, at: m.createdAt }));
    return { ticketNumber: ticket.number, lines };
  }
}
