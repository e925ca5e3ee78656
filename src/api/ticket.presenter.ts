/** The JSON shape of tickets and messages in the agent API. */
import type { Contact, HtmlDisplay, OutboxEntry, StoredMessage, Ticket } from '../core/index.ts';

export function presentTicket(t: Ticket, requester?: Contact) {
  return {
    number: t.number, subject: t.subject, status: t.status, priority: t.priority, channel: t.channel,
    locale: t.locale, flags: t.flags, createdAt: t.createdAt, updatedAt: t.updatedAt, lastMessageAt: t.lastMessageAt,
    closedAt: t.closedAt ?? null, linkedTickets: t.linkedTicketNumbers ?? [],
    category: t.category ?? null, assigneeId: t.assigneeId ?? null, tier: t.tier ?? null, tags: t.tags ?? [],
    requester: requester ? { id: requester.id, name: requester.name ?? null, emails: requester.emails, identities: requester.identities } : null,
  };
}

/** Where a message we sent is on its way to the customer (the outbox entry that carries it). */
export function presentDelivery(delivery: OutboxEntry) {
  return {
    channel: delivery.channel, status: delivery.status, attempts: delivery.attempts, lastError: delivery.lastError ?? null,
    sentAt: delivery.sentAt ?? null, bounce: delivery.bounce ?? null, resends: delivery.resends ?? 0,
  };
}

const attachmentUrl = (baseUrl: string, ticketNumber: number, blobId: string) =>
  `${baseUrl}/api/v1/tickets/${ticketNumber}/attachments/${encodeURIComponent(blobId)}`;

export interface MessageView {
  ticketNumber: number;
  baseUrl: string;
  displayHtml: HtmlDisplay;
  remoteImages: boolean;
}

const bodyUrl = (baseUrl: string, ticketNumber: number, messageId: string, part: 'text' | 'html') =>
  `${baseUrl}/api/v1/tickets/${ticketNumber}/messages/${encodeURIComponent(messageId)}/body/${part}`;

export function presentMessage(m: StoredMessage, view: MessageView, delivery?: OutboxEntry) {
  const { ticketNumber, baseUrl } = view;
  return {
    author: m.author ?? (m.direction === 'inbound' ? 'customer' : 'system'),
    ...(delivery ? { delivery: presentDelivery(delivery) } : {}),
    id: m.id, direction: m.direction, channel: m.channel, externalId: m.externalId, messageId: m.rfcMessageId ?? null,
    from: m.from, to: m.to, cc: m.cc, subject: m.subject, text: m.text, visibleText: m.visibleText,
    // Raw HTML stays stored; agents only ever get the sanitized form, quotes removed, cid: images
    // pointing at our attachment URLs, remote images only when asked for.
    html: m.html ? view.displayHtml(m.html, m.attachments ?? [], (blobId) => attachmentUrl(baseUrl, ticketNumber, blobId), { remoteImages: view.remoteImages }) : null,
    // Bodies over the preview size: `text`/`html` above are a preview; the full ones are at these URLs.
    body: {
      truncated: Boolean(m.textBlobId || m.htmlBlobId),
      textUrl: m.textBlobId ? bodyUrl(baseUrl, ticketNumber, m.id, 'text') : null,
      htmlUrl: m.htmlBlobId ? bodyUrl(baseUrl, ticketNumber, m.id, 'html') : null,
    },
    recipientCounts: m.recipientCounts ?? { to: m.to.length, cc: m.cc.length },
    classification: m.classification ?? null, flagged: Boolean(m.flagged), internal: Boolean(m.internal),
    decisions: [...(m.decisions ?? []), ...(m.ackDecision ? [m.ackDecision] : [])],
    createdAt: m.createdAt,
    attachments: (m.attachments ?? []).map((a) => ({
      filename: a.filename, contentType: a.contentType, size: a.size, checksum: a.checksum, inline: a.inline,
      contentId: a.contentId ?? null,
      url: attachmentUrl(baseUrl, ticketNumber, a.blobId),
    })),
  };
}
