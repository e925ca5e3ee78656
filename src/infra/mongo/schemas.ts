/**
 * mongoose schemas for every collection. Ids are strings chosen by the code (content- or
 * origin-derived) wherever a replayed write must land on the same document. Only queries from the
 * FerretDB 1.24 / MongoDB common subset are used (see docs/architecture.md).
 */
import { Schema } from 'mongoose';
import { PRIORITIES, TICKET_STATUSES, TIERS } from '../../core/index.ts';

const address = new Schema({ address: String, name: String }, { _id: false });
const decision = new Schema({ step: String, rule: String, detail: String }, { _id: false });
const attachment = new Schema({
  blobId: String, filename: String, contentType: String, size: Number, checksum: String,
  contentId: String, inline: Boolean,
}, { _id: false });
const header = new Schema({ name: String, value: String }, { _id: false });
const opts = { versionKey: false as const, strict: 'throw' as const };

export const ticketSchema = new Schema({
  _id: String,
  originKey: { type: String, required: true },
  number: { type: Number, required: true, unique: true },
  subject: String,
  status: { type: String, enum: TICKET_STATUSES, default: 'new' },
  priority: { type: String, enum: PRIORITIES, default: 'normal' },
  category: String,
  assigneeId: { type: String, index: true },
  tier: { type: String, enum: TIERS },
  channel: String,
  requesterId: { type: String, index: true },
  participantIds: { type: [String], index: true },
  /** `channel:conversationId` of a conversation channel (chat): its later messages thread here. */
  conversationKey: { type: String, index: true },
  locale: String,
  flags: [String],
  linkedTicketNumbers: [Number],
  /** Set by intake rules; the default keeps tickets stored before tags existed readable. */
  tags: { type: [String], default: [] },
  createdAt: Date,
  updatedAt: Date,
  lastMessageAt: Date,
  closedAt: Date,
}, { ...opts, collection: 'tickets' });
ticketSchema.index({ createdAt: -1, number: -1 });
ticketSchema.index({ requesterId: 1, createdAt: 1 });

export const messageSchema = new Schema({
  // `m_<hash of channel and externalId>` (messageKey): the duplicate check is the insert itself.
  // Documents stored before that have ObjectIds and are found by (channel, externalId).
  _id: String,
  ticketId: { type: String, required: true, index: true },
  ticketNumber: Number,
  direction: { type: String, enum: ['inbound', 'outbound'] },
  channel: { type: String, required: true },
  externalId: { type: String, required: true },
  rfcMessageId: { type: String, index: true },
  fromContactId: String,
  from: { address: String, name: String, channelUserId: String },
  to: [address],
  cc: [address],
  subject: String,
  text: String,
  html: String,
  visibleText: String,
  attachments: [attachment],
  classification: String,
  decisions: [decision],
  ackDecision: decision,
  opensTicket: Boolean,
  flagged: Boolean,
  author: String,
  internal: Boolean,
  role: { type: String, enum: ['customer', 'agent', 'bounce'] },
  rawBlobId: String,
  textBlobId: String,
  htmlBlobId: String,
  recipientCounts: { to: Number, cc: Number },
  contentHash: String,
  linkedTicketNumbers: [Number],
  complete: Boolean,
  createdAt: Date,
}, { ...opts, collection: 'messages' });
messageSchema.index({ channel: 1, externalId: 1 }, { unique: true });

/**
 * A person. `identities` lists its `kind:value` identity keys (`email:ann@example.org`,
 * `chat:v_…`) for reading; who owns an identity is decided in contact_identities, whose `_id` is
 * the key: FerretDB 1.x does not enforce a unique index per array element, `_id` is always unique.
 * `emails` is the shape before identities (contact.migration.ts moves it). A contact merged into
 * another keeps the journal of its merge (contact-merge.ts).
 */
export const contactSchema = new Schema({
  _id: String,
  name: String,
  identities: [String],
  emails: [String],
  mergedInto: String,
  mergedIdentities: [String],
  mergeDone: Boolean,
  createdAt: Date,
}, { ...opts, collection: 'contacts' });
contactSchema.index({ identities: 1 });
contactSchema.index({ mergedInto: 1 });

/** One document per identity: `_id` is the identity key, so it has exactly one owner. */
export const contactIdentitySchema = new Schema({
  _id: String,
  contactId: { type: String, required: true, index: true },
  createdAt: Date,
}, { ...opts, collection: 'contact_identities' });

/** `_id: 'ticket'`: where a fresh process starts looking for the next ticket number (a hint, see ticket-number.allocator.ts). */
export const counterSchema = new Schema({ _id: String, seq: Number }, { ...opts, collection: 'counters' });

/** A ticket number's claim: inserting it takes the number; `_id` = the number, so number -> ticket is by `_id`. */
export const ticketNumberSchema = new Schema({ _id: Number, ticketId: { type: String, required: true } }, { ...opts, collection: 'ticket_numbers' });

/**
 * A conversation's newest ticket, `_id` the ticket's `conversationKey` (`chat:<visitorId>`): how each
 * chat line finds its ticket by `_id` instead of a scan over `tickets` (conversation-tickets.ts).
 */
export const conversationTicketSchema = new Schema({ _id: String, ticketId: String }, { ...opts, collection: 'conversation_tickets' });

/** One document per one-time data migration that has run to its end (`_id` its name). */
export const migrationSchema = new Schema({ _id: String, at: Date }, { ...opts, collection: 'migrations' });

/**
 * One document per consumed source (an IMAP account/folder): the consumer lease and the channel's
 * own checkpoint fields beside it (for mail `uidValidity`, `lastUid`), which the store does not
 * interpret: hence not strict. The collection keeps its first name so existing data stays valid.
 */
export const mailboxCursorSchema = new Schema({
  _id: String,
  leaseOwner: String,
  leaseExpiresAt: Date,
  updatedAt: Date,
}, { ...opts, strict: false, collection: 'mailbox_cursors' });

export const outboxSchema = new Schema({
  _id: String,
  kind: String,
  channel: String,
  ticketId: { type: String, index: true },
  ticketNumber: Number,
  to: [address],
  from: address,
  replyTo: address,
  subject: String,
  text: String,
  html: String,
  messageId: { type: String, index: true },
  inReplyTo: String,
  references: [String],
  headers: [header],
  verpId: { type: String, index: true },
  envelopeFrom: String,
  // The chat variant (ChatOutbound); mail fields stay empty on it.
  contactId: String,
  authorName: String,
  bounce: { action: String, status: String, diagnostic: String, recipient: String, at: Date },
  status: { type: String, enum: ['pending', 'sending', 'sent', 'failed', 'undelivered'] },
  attempts: Number,
  nextAttemptAt: Date,
  claimToken: String,
  resends: Number,
  attemptsBeforeResend: Number,
  lastError: String,
  receipt: { accepted: [String], rejected: [String], response: String },
  createdAt: Date,
  sentAt: Date,
}, { ...opts, collection: 'outbox' });
outboxSchema.index({ status: 1, nextAttemptAt: 1 });

/**
 * Finished outbox entries (sent, failed, undelivered), the same shape, moved out of `outbox` so the
 * dispatcher's due scan reads only what is waiting (FerretDB 1.x scans a whole collection for any
 * filter but `_id`). Written by insert only: on FerretDB an insert costs the same however big the
 * collection is, an update or delete does not.
 */
export const outboxDoneSchema = outboxSchema.clone();
outboxDoneSchema.set('collection', 'outbox_done');

/**
 * One document per claimed outbox attempt (`<entry id>#<attempt>`). Inserting it is the claim: a
 * unique _id is atomic on every server, while findAndModify is not on FerretDB 1.x (two dispatchers
 * could both "claim" one entry and send it twice). `sender` names the dispatcher that holds it.
 */
export const outboxClaimSchema = new Schema({ _id: String, at: Date, sender: String }, { ...opts, collection: 'outbox_claims' });

/**
 * A dispatcher's lease (`_id` = its sender id): while `until` is ahead, its claims are its own.
 * One write renews the lease of every entry it holds, however slow a send is.
 */
export const outboxSenderSchema = new Schema({ _id: String, until: Date }, { ...opts, collection: 'outbox_senders' });

export const quarantineSchema = new Schema({
  _id: String,
  channel: String,
  source: String,
  reason: String,
  rawBlobId: String,
  checksum: String,
  size: Number,
  status: { type: String, enum: ['held', 'released'] },
  attempts: Number,
  lastError: String,
  ticketNumber: Number,
  createdAt: Date,
  updatedAt: Date,
}, { ...opts, collection: 'quarantine' });

export const ticketEventSchema = new Schema({
  _id: String,
  ticketId: { type: String, index: true },
  type: String,
  actor: String,
  data: Schema.Types.Mixed,
  at: Date,
  /** Written by versions before `agent_fanout`: `pending` until the mails were queued (agent-fanout.migration.ts). */
  fanout: String,
}, { ...opts, collection: 'ticket_events' });

/**
 * Automatic mails per recipient, recipient domain and gateway in fixed windows: `_id` is
 * `<scope>:<key>:<window start ms>` and `n` the count, raised only while below the limit (all of
 * a mail's counters in one bulk update, see MongoAckLogRepository), so a rate check touches its
 * documents by `_id` whatever the history holds; `by` is the token of the check that last raised it.
 * (`ack_log`, one document per acknowledgement counted by scans, is no longer written.)
 */
export const ackCountSchema = new Schema({ _id: String, n: Number, by: String, windowEndsAt: Date }, { ...opts, collection: 'ack_counts' });

export const suppressionSchema = new Schema({
  _id: String, // the address, lowercased
  until: Date,
  reason: String,
  status: String,
  since: Date,
}, { ...opts, collection: 'suppressions' });

/** Failed ingests per idempotency key: how many in a row failed the same way (poison-mail.handler.ts). */
export const ingestAttemptSchema = new Schema({
  _id: String, // `${channel}:${externalId}`
  signature: String,
  attempts: Number,
  lastError: String,
  updatedAt: Date,
}, { ...opts, collection: 'ingest_attempts' });

/**
 * Live conversation lines, `_id` `<conversation>#<seq, 10 digits>`: inserting the next number is
 * the allocation (unique on every server), and an `_id` range reads a conversation in order.
 */
export const chatLineSchema = new Schema({
  _id: String,
  conversationId: String,
  seq: Number,
  key: String,
  author: { type: String, enum: ['visitor', 'agent', 'system'] },
  text: String,
  at: Date,
  ticketNumber: Number,
  agentName: String,
}, { ...opts, collection: 'chat_lines' });

/** One per line key (`<conversation>#<key>` -> seq): what makes a resent clientId store nothing new. */
export const chatKeySchema = new Schema({ _id: String, seq: Number }, { ...opts, collection: 'chat_keys' });

/** `ticket:<number>` -> the conversation it belongs to. */
export const chatConversationSchema = new Schema({ _id: String, conversationId: String }, { ...opts, collection: 'chat_conversations' });
