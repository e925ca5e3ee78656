/**
 * Builds the mail we send to a customer about a ticket, whatever prompted it (acknowledgement,
 * agent reply): our own Message-ID carrying the signed reply token, Reply-To with the token,
 * In-Reply-To/References (capped), X-Loop, and a VERP envelope id so a bounce names this exact
 * mail. Automatic mail also says so (RFC 3834 Auto-Submitted) and asks auto-responders to stay
 * quiet; a human agent's reply does not.
 */
import { createHash } from 'node:crypto';
import { signReplyToken, signVerpToken, type TokenKeys } from './reply-token.ts';
import type { Address, MailOutbound, OutboundKind, Ticket } from '../types.ts';
import type { RenderedMessage } from '../ports.ts';

export interface CustomerMailSettings {
  supportAddress: string;
  supportName: string;
  messageIdDomain: string;
  keys: TokenKeys;
}

/** RFC 5322 References should stay short; keep the first (thread root) and the newest ones. */
export const MAX_REFERENCES = 10;

/** In linear time (a Set, not indexOf per item): a stranger's mail may carry 80,000 References. */
export function capReferences(refs: string[]): string[] {
  const unique = [...new Set(refs)];
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0]!, ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}

export function replyAddress(supportAddress: string, token: string): string {
  const [local, domain] = supportAddress.split('@') as [string, string];
  return `${local}+${token}@${domain}`;
}

/** Deterministic per outbox id: the same queued mail always has the same ids. */
export function outboundIds(outboxId: string): { seq: string; verpId: string } {
  const hex = createHash('sha256').update(outboxId).digest('hex');
  return { seq: hex.slice(0, 16), verpId: hex.slice(16, 32) };
}

/** Our Message-ID for an outbound message: `<token>.<seq>@<domain>`. */
export function ownMessageId(token: string, outboxId: string, domain: string): string {
  return `${token}.${outboundIds(outboxId).seq}@${domain}`;
}

export interface CustomerMailInput {
  id: string;
  kind: OutboundKind;
  ticket: Ticket;
  to: Address[];
  rendered: RenderedMessage;
  inReplyTo?: string;
  references: string[];
  automatic: boolean;
}

export function composeCustomerMail(settings: CustomerMailSettings, input: CustomerMailInput): MailOutbound {
  const token = signReplyToken(settings.keys, input.ticket.number);
  const { verpId } = outboundIds(input.id);
  const support = { address: settings.supportAddress, name: settings.supportName };
  return {
    id: input.id, kind: input.kind, channel: 'email', ticketId: input.ticket.id, ticketNumber: input.ticket.number,
    to: input.to,
    from: support,
    replyTo: { address: replyAddress(settings.supportAddress, token), name: settings.supportName },
    subject: input.rendered.subject, text: input.rendered.text, html: input.rendered.html,
    messageId: ownMessageId(token, input.id, settings.messageIdDomain),
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
    references: capReferences(input.references),
    verpId,
    envelopeFrom: replyAddress(settings.supportAddress, signVerpToken(settings.keys, verpId)),
    headers: [
      { name: 'X-Loop', value: settings.supportAddress },
      ...(input.automatic ? [
        { name: 'Auto-Submitted', value: 'auto-replied' },
        // Never `All`: that would also silence delivery reports we rely on.
        { name: 'X-Auto-Response-Suppress', value: 'OOF, AutoReply' },
      ] : []),
    ],
  };
}
