/** Domain types shared by the core, the channels and the infrastructure. */

export type ChannelId = 'email' | 'chat' | 'webform';
export type Locale = 'en' | 'id';
export const LOCALES: readonly Locale[] = ['en', 'id'];

/** How an inbound message came to be written: only `human` mail may get an automatic answer. */
export type Classification = 'human' | 'auto-reply' | 'bounce' | 'bulk';

/** The one list of ticket states (the schema, the API and the actions all read it). */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Support tiers: L1 desk, L2 specialists, L3 on-site. */
export const TIERS = ['L1', 'L2', 'L3'] as const;
export type Tier = (typeof TIERS)[number];

export interface Address {
  address: string;
  name?: string;
}

export interface Sender {
  address?: string;
  name?: string;
  /**
   * The sender's id on a channel without addresses (chat visitor id, a site's user id); the core
   * files it as that channel's identity (CHANNEL_IDENTITY). A channel sets `address` only when
   * it vouches for it (for mail: the From header).
   */
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
  /** Where the channel took it from, in its own words (`imap:INBOX:<uidvalidity>:<uid>`, `pipe`, `lmtp`). */
  source?: string;
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
  /**
   * The channel could not check the address (a web form set to verify it first): the address gets
   * a verification link, and the acknowledgement waits for its click.
   */
  holdAcknowledgement?: boolean;
  /** Channel facts intake rules match on: the web form's category, the chat widget's site key. */
  intake?: { formCategory?: string; chatSite?: string };
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
  /** The ticket's id, when the message is on one (e.g. to sign a link bound to it). */
  ticketId?: string;
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
  category?: string;
  /** The agent working on it. */
  assigneeId?: string;
  tier?: Tier;
  /** Labels an intake rule gave it (empty on tickets stored before tags existed). */
  tags: string[];
}

/** How a person is known on one channel: an email address, a chat visitor id, a site's user id. */
export type IdentityKind = 'email' | 'chat' | 'site';

export interface Identity {
  kind: IdentityKind;
  value: string;
}

/** The identity a channel's own user id (`Sender.channelUserId`) is, per channel. */
export const CHANNEL_IDENTITY: Record<ChannelId, IdentityKind> = { email: 'email', chat: 'chat', webform: 'site' };

/** One person, with every identity the channels have verified for them. Each identity belongs to one contact. */
export interface Contact {
  id: string;
  name?: string;
  identities: Identity[];
  /** The email identities' values, in the order they were added. */
  emails: string[];
  /** When we first heard of this contact (absent on contacts read without it). */
  since?: Date;
}

export type Direction = 'inbound' | 'outbound';

/** What a thread resolver or classifier decided, and which rule decided it. */
export interface Decision {
  step: 'classify' | 'thread' | 'ack' | 'rule';
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
  /** Set when an agent wrote it (by email or an action); the customer receives it through the outbox. */
  author?: 'agent';
  /** An agent's internal note: never delivered to the customer, never shown on public pages. */
  internal?: boolean;
  /** The role it plays on its ticket, decided when it was placed (absent on older records). */
  role?: 'customer' | 'agent' | 'bounce';
  /** False until every follow-up write of the ingest finished; a retry completes it. */
  complete: boolean;
  createdAt: Date;
}

export interface Header {
  name: string;
  value: string;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'undelivered';
export type OutboundKind = 'ack' | 'agent-reply' | 'status' | 'chat-digest' | 'chat-transcript' | 'sla-warning' | 'sla-breach' | 'kb-suggestions' | 'enquiry' | 'agent-notification';

/** What every outbound message has, whatever carries it. */
interface OutboundBase {
  id: string;
  kind: OutboundKind;
  ticketId: string;
  ticketNumber: number;
  text: string;
}

/** A rendered mail waiting in the outbox; the mail fields exist on this variant only. */
export interface MailOutbound extends OutboundBase {
  channel: 'email';
  to: Address[];
  from: Address;
  replyTo?: Address;
  subject: string;
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

/** A message for a live chat visitor. */
export interface ChatOutbound extends OutboundBase {
  channel: 'chat';
  /** The contact (visitor) it is for. */
  contactId: string;
  /** Shown to the visitor as the author (an agent's display name). */
  authorName?: string;
}

/** Tagged by channel: the dispatcher hands each variant to the adapter with that id. */
export type OutboundMessage = MailOutbound | ChatOutbound;

export interface OutboxState {
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  receipt?: DeliveryReceipt;
  sentAt?: Date;
  /** Set by each claim; fences the updates of whoever claimed it (see OutboxRepository.claimDue). */
  claimToken?: string;
  /** How often an agent sent it again after it failed (OutboxRepository.requeueFailed). */
  resends?: number;
  /** `attempts` when it was last resent: the retry budget counts only the attempts after it. */
  attemptsBeforeResend?: number;
  /** What a delivery report said after the mail left us. */
  bounce?: { action: DeliveryAction; status: string; diagnostic?: string; recipient: string; at: Date };
}

export type OutboxEntry = OutboundMessage & OutboxState;
export type MailOutboxEntry = MailOutbound & OutboxState;

/**
 * What an adapter says about one delivery attempt. `not-connected` is a live channel's answer when
 * the recipient is offline: the entry is undelivered and the dispatcher's `away` hook hears of it. An adapter may also
 * throw: a DeliveryError says permanent or not, anything else is retried.
 */
export type DeliveryResult =
  | { status: 'delivered'; receipt: DeliveryReceipt }
  | { status: 'not-connected'; detail: string }
  | { status: 'retry'; error: string }
  | { status: 'failed'; error: string };

export interface DeliveryReceipt {
  accepted: string[];
  rejected: string[];
  response?: string;
}
