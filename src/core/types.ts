/** Domain types shared by the core, the channels and the infrastructure. */

export type ChannelId = 'email' | 'chat' | 'webform';
export type Locale = 'en' | 'id';
export const LOCALES: readonly Locale[] = ['en', 'id'];

/** How an inbound message came to be written: only `human` mail may get an automatic answer. */
export type Classification = 'human' | 'auto-reply' | 'bounce' | 'bulk';

export type TicketStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';

export interface Address {
  address: string;
  name?: string;
}

export interface Sender {
  address?: string;
  name?: string;
  /** The sender's id on a channel without addresses (chat visitor id). */
  channelUserId?: string;
}

/** An attachment whose bytes already sit in the blob store. */
export interface AttachmentRef {
  blobId: string;
  filename: string;
  contentType: string;
  size: number;
  /** sha256 of the content, hex. */
  checksum: string;
  /** Content-ID for inline images (without angle brackets). */
  contentId?: string;
  inline: boolean;
}

export interface SourceCheckpoint {
  mailbox: string;
  uidValidity: number;
  uid: number;
}

export interface ThreadHints {
  /** Signed reply tokens found in recipient addresses under our domain. */
  replyTokens: string[];
  inReplyTo?: string;
  references: string[];
  /** Ticket number from a `[#123]` subject tag. */
  subjectTag?: number;
  conversationId?: string;
}

/** One message from any channel, normalized. The idempotency key is (channel, externalId). */
export interface InboundMessage {
  channel: ChannelId;
  externalId: string;
  /** RFC 5322 Message-ID (without angle brackets) when the channel has one. */
  messageId?: string;
  checkpoint?: SourceCheckpoint;
  from: Sender;
  to: Address[];
  cc: Address[];
  subject: string;
  text: string;
  /** Raw HTML as received; sanitized only when displayed. */
  html?: string;
  /** The new part of the message: quotes and signatures stripped. */
  visibleText: string;
  attachments: AttachmentRef[];
  receivedAt: Date;
  threadHints: ThreadHints;
  classification: Classification;
  classificationReason: string;
  localeHint?: Locale;
  /** Blob holding the raw message (RFC 822 bytes for mail). */
  rawBlobId?: string;
  /** Values of loop markers (X-Loop): mail that carries ours came from us. */
  loopMarkers?: string[];
  /** For a delivery report: what it says about which of our messages. */
  bounce?: BounceReport;
  /** What a trusted verifier (for mail: our MTA's Authentication-Results) said about the sender. */
  authentication?: SenderAuthentication;
}

/** Result of a sender check, e.g. `pass`, `fail`, `softfail`, `none`, `temperror`. */
export type AuthVerdict = string;

/**
 * Sender authentication as reported by a verifier we trust. `trusted` is false when no report
 * came from one (then nothing else is known); the verdicts are lowercase.
 */
export interface SenderAuthentication {
  trusted: boolean;
  dmarc?: AuthVerdict;
  spf?: AuthVerdict;
  /** Domains (`header.d`) of every passing DKIM signature, lowercase. */
  dkimPassDomains: string[];
}

export type DeliveryAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

/** A parsed RFC 3464 delivery status notification. */
export interface BounceReport {
  /** The signed VERP token from the envelope recipient the bounce was sent to, if any. */
  verpToken?: string;
  /** Message-IDs of the original message, from the embedded message or headers. */
  originalMessageIds: string[];
  recipients: Array<{ address: string; action: DeliveryAction; status: string; diagnostic?: string }>;
}

export type IngestOutcome = 'created' | 'appended' | 'duplicate' | 'ignored' | 'quarantined';

export interface IngestResult {
  outcome: IngestOutcome;
  ticketNumber?: number;
  reason: string;
}

export interface Ticket {
  id: string;
  number: number;
  subject: string;
  status: TicketStatus;
  priority: Priority;
  channel: ChannelId;
  requesterId: string;
  /** Contact ids of everyone who may write to this ticket. */
  participantIds: string[];
  locale: Locale;
  createdAt: Date;
  updatedAt: Date;
  lastMessageAt: Date;
  flags: string[];
  closedAt?: Date;
  /** Earlier tickets this one continues (a reply to a long-closed ticket). */
  linkedTicketNumbers?: number[];
}

export interface Contact {
  id: string;
  name?: string;
  emails: string[];
}

export type Direction = 'inbound' | 'outbound';

/** What a thread resolver or classifier decided, and which rule decided it. */
export interface Decision {
  step: 'classify' | 'thread' | 'ack';
  rule: string;
  detail: string;
}

export interface StoredMessage {
  id: string;
  ticketId: string;
  ticketNumber: number;
  direction: Direction;
  channel: ChannelId;
  externalId: string;
  rfcMessageId?: string;
  fromContactId?: string;
  from: Sender;
  to: Address[];
  cc: Address[];
  subject: string;
  text: string;
  html?: string;
  visibleText: string;
  attachments: AttachmentRef[];
  classification?: Classification;
  decisions: Decision[];
  rawBlobId?: string;
  /** Full bodies in the blob store when `text`/`html` hold only a bounded preview. */
  textBlobId?: string;
  htmlBlobId?: string;
  /** How many To/Cc addresses the mail had, when the stored lists are cut (see message-body.ts). */
  recipientCounts?: { to: number; cc: number };
  /** sha256 of what the mail says (sender, subject, bodies, attachments): tells a reused Message-ID. */
  contentHash?: string;
  /** A new ticket's links to earlier tickets, kept so a replay can create the ticket the same way. */
  linkedTicketNumbers?: number[];
  /** Whether the acknowledgement rule sent one, and why (new tickets only). */
  ackDecision?: Decision;
  /** This message opened its ticket. */
  opensTicket?: boolean;
  /** Appended by a sender who is not a participant: needs an agent's review. */
  flagged?: boolean;
  /** Set when an agent wrote it (by email); the customer receives it through the outbox. */
  author?: 'agent';
  /** False until every follow-up write of the ingest finished; a retry completes it. */
  complete: boolean;
  createdAt: Date;
}

export interface Header {
  name: string;
  value: string;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';
export type OutboundKind = 'ack' | 'agent-reply' | 'status';

/** A rendered message waiting in the outbox for its channel to deliver it. */
export interface OutboundMessage {
  id: string;
  kind: OutboundKind;
  channel: ChannelId;
  ticketId: string;
  ticketNumber: number;
  to: Address[];
  from: Address;
  replyTo?: Address;
  subject: string;
  text: string;
  html: string;
  /** Our own Message-ID (without angle brackets). */
  messageId: string;
  inReplyTo?: string;
  references: string[];
  headers: Header[];
  /** Signed id in the envelope sender (VERP), so a bounce names this exact message. */
  verpId?: string;
  /** SMTP envelope sender carrying the signed verpId (`support+b…@domain`). */
  envelopeFrom?: string;
}

export interface OutboxEntry extends OutboundMessage {
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  receipt?: DeliveryReceipt;
  /** Set by each claim; fences the updates of whoever claimed it (see OutboxRepository.claimDue). */
  claimToken?: string;
  /** What a delivery report said after the mail left us. */
  bounce?: { action: DeliveryAction; status: string; diagnostic?: string; recipient: string; at: Date };
}

export interface DeliveryReceipt {
  accepted: string[];
  rejected: string[];
  response?: string;
}
