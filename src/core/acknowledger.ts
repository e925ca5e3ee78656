/**
 * Queues the acknowledgement for a new ticket. Only a human sender who is not us gets one, and at
 * most `perSenderLimit` per window, so two auto-responders can never ping-pong through us. The
 * outbox id is derived from the ticket, so a replayed ingest queues nothing twice.
 */
import { createHash } from 'node:crypto';
import type { AckLogRepository, MessageRepository, OutboxRepository, TemplateRenderer } from './ports.ts';
import { signReplyToken, type TokenKeys } from './reply-token.ts';
import type { Contact, Decision, InboundMessage, OutboundMessage, Ticket } from './types.ts';

export interface AckSettings {
  supportAddress: string;
  supportName: string;
  messageIdDomain: string;
  keys: TokenKeys;
  perSenderLimit: number;
  perSenderWindowMs: number;
  publicUrl: string;
}

export interface AckDeps {
  outbox: OutboxRepository;
  ackLog: AckLogRepository;
  messages: MessageRepository;
  renderer: TemplateRenderer;
  settings: AckSettings;
}

/** RFC 5322 References should stay short; keep the first (thread root) and the newest ones. */
export const MAX_REFERENCES = 10;

export function capReferences(refs: string[]): string[] {
  if (refs.length <= MAX_REFERENCES) return refs;
  return [refs[0]!, ...refs.slice(refs.length - (MAX_REFERENCES - 1))];
}

export function replyAddress(supportAddress: string, token: string): string {
  const [local, domain] = supportAddress.split('@') as [string, string];
  return `${local}+${token}@${domain}`;
}

/** Our Message-ID for an outbound message: `<token>.<seq>@<domain>`, deterministic per outbox id. */
export function ownMessageId(token: string, outboxId: string, domain: string): string {
  const seq = createHash('sha256').update(outboxId).digest('hex').slice(0, 16);
  return `${token}.${seq}@${domain}`;
}

const ack = (rule: string, detail: string): Decision => ({ step: 'ack', rule, detail });

export class Acknowledger {
  constructor(private readonly deps: AckDeps) {}

  /** Decides whether to acknowledge, queues the mail when yes, and says why either way. */
  async acknowledge(ticket: Ticket, message: InboundMessage, requester: Contact | null, at: Date): Promise<Decision> {
    const { settings, outbox, ackLog } = this.deps;
    if (message.channel !== 'email') return ack('not-email', 'only mail is acknowledged by mail');
    if (message.classification !== 'human') return ack('not-human', `classified ${message.classification}`);
    const to = message.from.address?.toLowerCase();
    if (!to || !requester) return ack('no-address', 'sender has no address');

    const outboxId = `ack:${ticket.id}`;
    const queued = await outbox.byId(outboxId);
    if (queued) return ack('queued', `acknowledgement ${queued.messageId} queued`);
    const since = new Date(at.getTime() - settings.perSenderWindowMs);
    const sent = await ackLog.countSince(to, since, outboxId);
    if (sent >= settings.perSenderLimit) {
      return ack('rate-limited', `${sent} acknowledgements to ${to} in the window`);
    }
    await ackLog.record(outboxId, to, ticket.id, at);
    const outbound = await this.render(outboxId, ticket, message, to);
    await outbox.enqueue(outbound, at);
    await this.deps.messages.insert({
      ticketId: ticket.id, ticketNumber: ticket.number, direction: 'outbound', channel: 'email',
      externalId: `outbox:${outboxId}`, rfcMessageId: outbound.messageId, from: { address: settings.supportAddress },
      to: outbound.to, cc: [], subject: outbound.subject, text: outbound.text, html: outbound.html,
      visibleText: outbound.text, attachments: [], decisions: [], complete: true,
    });
    return ack('queued', `acknowledgement ${outbound.messageId} queued`);
  }

  private async render(id: string, ticket: Ticket, message: InboundMessage, to: string): Promise<OutboundMessage> {
    const { settings, renderer } = this.deps;
    const token = signReplyToken(settings.keys, ticket.number);
    const rendered = await renderer.render('ack', ticket.locale, {
      ticketNumber: ticket.number,
      subject: ticket.subject,
      customerName: message.from.name || to,
    });
    const references = capReferences([
      ...message.threadHints.references,
      ...(message.messageId ? [message.messageId] : []),
    ].filter((v, i, all) => all.indexOf(v) === i));
    return {
      id, kind: 'ack', channel: 'email', ticketId: ticket.id, ticketNumber: ticket.number,
      to: [{ address: to, name: message.from.name }],
      from: { address: settings.supportAddress, name: settings.supportName },
      replyTo: { address: replyAddress(settings.supportAddress, token), name: settings.supportName },
      subject: rendered.subject, text: rendered.text, html: rendered.html,
      messageId: ownMessageId(token, id, settings.messageIdDomain),
      inReplyTo: message.messageId,
      references,
      headers: [
        { name: 'Auto-Submitted', value: 'auto-replied' },
        { name: 'X-Auto-Response-Suppress', value: 'OOF, AutoReply' },
      ],
    };
  }
}
