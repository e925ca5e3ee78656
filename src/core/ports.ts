/**
 * What the core needs from the outside world. src/infra implements these with MongoDB;
 * channels implement ChannelAdapter. Every write here must be safe to repeat: the core
 * replays a whole ingest after a crash, so ids are deterministic and inserts are upserts.
 */
import type { Readable } from 'node:stream';
import type { Logger } from './logger.ts';
import type {
  Address, AttachmentRef, ChannelId, Contact, Decision, Identity, DeliveryReceipt, DeliveryResult, InboundMessage, IngestResult, Locale, MailOutboxEntry,
  OutboundMessage, OutboxEntry, Priority, StoredMessage, Ticket, TicketStatus, Tier,
} from './types.ts';
import type { Metrics } from './metrics.ts';
import type { Actor, TicketActions } from './ticket-actions.service.ts';
import type { TokenKeys } from './mail/reply-token.ts';
import type { ChatFollowUpPort } from './chat/chat-follow-up.service.ts';
import type { IntakeRuleStore, RuleActions } from './rules/intake-rule.types.ts';

export interface IntakeSink {
  /** Stores the message (or recognizes it) and says what happened. Safe to call twice. */
  ingest(message: InboundMessage): Promise<IngestResult>;
  /** Keeps bytes that could not be turned into a message, so they can be retried later. */
  quarantine(item: QuarantineInput): Promise<{ id: string; duplicate: boolean }>;
}

export type QuarantineInput = {
  channel: InboundMessage['channel'];
  reason: string;
  /** Where it came from, e.g. `imap:INBOX:uidvalidity:uid` or `pipe`. */
  source: string;
} & (
  | { raw: Buffer }
  /** Bytes already streamed into the blob store (too large to hold in memory). */
  | { blob: BlobInfo }
);

/** What the quarantine keeps: a reference to the raw bytes in the blob store. */
export interface QuarantineRecord {
  channel: InboundMessage['channel'];
  reason: string;
  source: string;
  rawBlobId: string;
  checksum: string;
  size: number;
}

/** Failed ingests per idempotency key, kept durably so "N attempts" survives restarts. */
export interface IngestAttemptRepository {
  /** Records one failure and returns how many times in a row it failed with this signature. */
  recordFailure(key: string, signature: string, error: string, at: Date): Promise<number>;
}

export interface BlobInfo {
  id: string;
  size: number;
  checksum: string;
  filename: string;
  contentType: string;
}

/** Streamed storage for raw mail and attachments. Ids are content-derived, so puts are idempotent. */
export interface BlobStore {
  put(data: Buffer | Readable, meta: { filename: string; contentType: string }): Promise<BlobInfo>;
  get(id: string): Promise<Readable>;
  stat(id: string): Promise<BlobInfo | null>;
  delete(id: string): Promise<void>;
}

export interface NewTicket {
  /** Deterministic: derived from the first message, so a replayed ingest finds the same ticket. */
  originKey: string;
  subject: string;
  channel: Ticket['channel'];
  requesterId: string;
  participantIds: string[];
  locale: Locale;
  at: Date;
  flags: string[];
  linkedTicketNumbers?: number[];
  /** `channel:conversationId` when the channel has conversations (chat). */
  conversationKey?: string;
  /** Fields an intake rule set: the ticket is created with them. */
  preset?: RuleActions;
}

export interface TicketRepository {
  /**
   * Inserts unless a ticket with the same originKey exists; returns whichever is stored. A number
   * is drawn only when the ticket is really new, so a replayed ingest leaves no gap.
   */
  /** `absent`: the caller knows the ticket does not exist yet, so nothing is read first. */
  createOnce(ticket: NewTicket, options?: { absent?: boolean }): Promise<Ticket>;
  /** The id createOnce gives the ticket of this origin (deterministic), known before it exists. */
  idForOrigin(originKey: string): string;
  byId(id: string): Promise<Ticket | null>;
  byNumber(n: number): Promise<Ticket | null>;
  /** The newest ticket of a conversation (`channel:conversationId`). */
  byConversation(conversationKey: string): Promise<Ticket | null>;
  /** Whether this contact requested any ticket created before `before` (a known customer). */
  requestedBefore(requesterId: string, before: Date): Promise<boolean>;
  /** Changes the status (an agent's action); closing records closedAt. */
  setStatus(id: string, status: TicketStatus, at: Date): Promise<void>;
  /** Sets the given fields; `null` clears category or assignee. */
  update(id: string, change: TicketChange, at: Date): Promise<void>;
  /** Newest first; `beforeNumber` pages on; `filter` narrows (every given field must match). */
  list(query: { limit: number; beforeNumber?: number; filter?: TicketFilter }): Promise<Ticket[]>;
  /** How many tickets match the filter, per status (statuses with none are left out). */
  countByStatus(filter?: TicketFilter): Promise<Partial<Record<TicketStatus, number>>>;
  /** Adds participants and flags, bumps lastMessageAt, optionally changes status. Idempotent. */
  touch(id: string, change: { participantIds?: string[]; flags?: string[]; status?: TicketStatus; at: Date }): Promise<void>;
}

/** What an agent's ticket list can narrow by. `assigneeId: null` means unassigned. */
export interface TicketFilter {
  status?: TicketStatus;
  channel?: ChannelId;
  assigneeId?: string | null;
  tier?: Tier;
  priority?: Priority;
  category?: string;
  requesterId?: string;
  /** Case-insensitive text in the subject, taken literally (never as a pattern). */
  subjectContains?: string;
}

export interface TicketChange {
  priority?: Priority;
  category?: string | null;
  assigneeId?: string | null;
  tier?: Tier;
}

export interface MessageRepository {
  byExternalId(channel: string, externalId: string): Promise<StoredMessage | null>;
  /**
   * A stored message (any direction) whose RFC Message-ID is in the list, the earliest in the list
   * first: a channel's message whose externalId is its Message-ID (mail) is found by `_id`.
   */
  byRfcMessageIds(channel: string, ids: string[]): Promise<StoredMessage | null>;
  /** Inserts and returns the stored record; null when (channel, externalId) already exists. */
  insert(message: Omit<StoredMessage, 'id' | 'createdAt'>): Promise<StoredMessage | null>;
  /**
   * Marks the message complete, recording its ticket's number (a new ticket gets it after the
   * insert) and, when given, the acknowledgement decision, in one write; with `copy` (the
   * acknowledgement's copy, stored once by its key) in the same round trip, the copy first.
   */
  markComplete(channel: string, externalId: string, ticketNumber: number, ackDecision?: Decision, copy?: Omit<StoredMessage, 'id' | 'createdAt'>): Promise<void>;
  setAckDecision(channel: string, externalId: string, decision: Decision): Promise<void>;
  /** Inbound messages on a ticket not written by a person (auto-reply, bounce, bulk) since `since`. */
  countAutomaticSince(ticketId: string, since: Date): Promise<number>;
  listByTicket(ticketId: string): Promise<StoredMessage[]>;
  byId(id: string): Promise<StoredMessage | null>;
}

export interface ContactRepository {
  /** The contact owning this identity, or a new one holding it (race-safe, idempotent). */
  findOrCreate(identity: Identity, name?: string): Promise<Contact>;
  byIdentity(identity: Identity): Promise<Contact | null>;
  /**
   * One contact holding every one of these identities: found, created, or, when they belong to
   * different contacts, those merged into the contact of the first identity (their tickets follow).
   * Only for identities the channel has verified. Safe to repeat after a crash.
   */
  link(identities: Identity[], name?: string): Promise<Contact>;
  /** findOrCreate for an email identity. */
  findOrCreateByEmail(address: Address): Promise<Contact>;
  byEmail(address: string): Promise<Contact | null>;
  byIds(ids: string[]): Promise<Contact[]>;
}

/** One audit event as stored. */
export interface AuditEvent {
  id: string;
  ticketId: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  at: Date;
}

export interface EventRepository {
  /**
   * Records an audit event once: a second call with the same id adds nothing to the audit trail.
   * An event whose type agents are told about (notify/agent-fanout.ts) is stored as pending
   * fan-out in that one write (telling agents costs the caller, ingest, no extra command), and
   * joins the audit trail once fanoutDone says its mails are queued.
   */
  record(event: AuditEvent): Promise<void>;
  /** The oldest events still waiting to be fanned out to agents (read from pending work only). */
  pendingFanout(limit: number): Promise<AuditEvent[]>;
  /** These events' agent mails are queued: they join the audit trail and are no longer pending. */
  fanoutDone(events: AuditEvent[]): Promise<void>;
}

/** What claimDue needs to know about the claiming dispatcher. */
export interface OutboxClaimRequest {
  limit: number;
  /** Channels that can send now; entries of others stay pending, unattempted. */
  channels: string[];
  /** The claiming dispatcher's sender id; its lease is kept by `heartbeat`. */
  sender: string;
  /** Claims written by older versions (no sender) count as abandoned this long after they were made. */
  leaseMs: number;
  /** Entries not to look at: the ones this dispatcher holds, and ones it knows another holds. */
  exclude: string[];
  /** Called once due entries were found, before any claim is written: the sender's lease must exist by then. */
  beforeClaim?: () => Promise<void>;
}

export interface OutboxClaimResult {
  /** Each with a fresh `claimToken` and `attempts` counting this attempt. */
  claimed: OutboxEntry[];
  /** Due entries another live sender holds, and until when its lease runs at least. */
  heldElsewhere: { id: string; until: Date }[];
}

/** The outcome of one claimed attempt, recorded only while the claim is still the entry's current one. */
export type OutboxSettlement =
  | { entry: OutboxEntry; status: 'sent'; receipt: DeliveryReceipt; at: Date; verify?: boolean }
  | { entry: OutboxEntry; status: 'failed' | 'undelivered'; error: string; at: Date; verify?: boolean }
  | { entry: OutboxEntry; status: 'retry'; error: string; nextAttemptAt: Date; verify?: boolean };

/**
 * The outbox: waiting entries in one place (the due scan reads only those), finished ones in
 * another. A claim is a unique insert of `<entry>#<attempt>` naming the sender; a sender's lease
 * is one heartbeat document for all its claims, so a slow send never loses its entry to a second
 * sender while the first is still alive, and the entries of a sender that died are free once its
 * heartbeat has run out (or at once when it retired).
 */
export interface OutboxRepository {
  /** Queues once: a second call with the same id changes nothing, also after the entry was sent. */
  enqueue(message: OutboundMessage, at: Date): Promise<void>;
  /** Keeps `sender`'s lease (all its claims) until `until`. */
  heartbeat(sender: string, until: Date): Promise<void>;
  /** `sender` stopped: whatever it still holds is free at once. */
  retire(sender: string): Promise<void>;
  /** Claims up to `limit` due entries, oldest first. */
  claimDue(now: Date, request: OutboxClaimRequest): Promise<OutboxClaimResult>;
  /**
   * Records outcomes in few round trips; per settlement, false when the claim had passed to
   * another sender (nothing changed). `verify` re-reads the entry first (the sender's lease had a gap).
   */
  settle(settlements: OutboxSettlement[]): Promise<boolean[]>;
  /**
   * Takes entries settled as sent out of the queue. `settle` leaves that to the next `claimDue`
   * (meanwhile the same sender's claims skip them, and any other finds them finished), so many
   * go in one write; a dispatcher sweeps at the end of its pass.
   */
  sweep(): Promise<void>;
  /** Moves entries finished under older versions out of the queue, up to `limit`; how many moved. */
  moveFinished(limit: number): Promise<number>;
  /**
   * Puts a failed entry back in the queue, due at `at`, with a fresh retry budget: only while it is
   * still failed after exactly `attempts` attempts, so of two requests for the same failure one
   * wins (true) and the other changes nothing (false).
   */
  requeueFailed(id: string, attempts: number, at: Date): Promise<boolean>;
  byId(id: string): Promise<OutboxEntry | null>;
  listByTicket(ticketId: string): Promise<OutboxEntry[]>;
  byVerpId(verpId: string): Promise<MailOutboxEntry | null>;
  byMessageIds(ids: string[]): Promise<MailOutboxEntry | null>;
  /** Records what a delivery report said; `failed` also marks the entry failed. */
  recordBounce(id: string, bounce: NonNullable<OutboxEntry['bounce']>, failed: boolean): Promise<void>;
}

/** What an automatic-mail count is kept per: one address, one domain (strangers), or the gateway. */
export type AckScope = 'address' | 'domain' | 'all';

/** One limit an automatic mail counts against: at most `limit` per fixed window of `windowMs`. */
export interface AckLimit {
  scope: AckScope;
  key: string;
  windowMs: number;
  limit: number;
}

export interface AckLogRepository {
  /**
   * Counts one more automatic mail (`by` names it, e.g. its outbox id, and is stamped on each
   * counter raised) against each limit in order, in the fixed window holding `at`,
   * and stops at the first limit whose window is already full: returns its index and the window's
   * count including this mail (over the limit), or null when every limit still had room. One round
   * trip when they all had room (counters by `_id`); a full window costs a few more.
   */
  countWithin(limits: AckLimit[], at: Date, by: string): Promise<{ index: number; count: number } | null>;
  /**
   * How many of `limits`, from the first, were last raised for the mail `by` (the first attempt of
   * an interrupted ingest counted it there already). One read by `_id` per counter looked at.
   */
  raisedBy(limits: AckLimit[], at: Date, by: string): Promise<number>;
}

export interface QuarantinedItem {
  id: string;
  channel: InboundMessage['channel'];
  source: string;
  reason: string;
  rawBlobId: string;
  size: number;
  status: 'held' | 'released';
  attempts: number;
  lastError?: string;
  ticketNumber?: number;
  createdAt: Date;
}

export interface QuarantineRepository {
  add(item: QuarantineRecord, at: Date): Promise<{ id: string; duplicate: boolean }>;
  list(status?: QuarantinedItem['status']): Promise<QuarantinedItem[]>;
  byId(id: string): Promise<QuarantinedItem | null>;
  /** Records a retry: released with the ticket it became, or still held with the new error. */
  recordRetry(id: string, result: { released: boolean; ticketNumber?: number; error?: string }, at: Date): Promise<void>;
}

export interface Suppression {
  address: string;
  until: Date;
  reason: string;
  status: string;
  since: Date;
}

/** Addresses that hard-bounced: no automatic mail goes to them until `until`. */
export interface SuppressionRepository {
  suppress(entry: Suppression): Promise<void>;
  activeFor(address: string, at: Date): Promise<Suppression | null>;
  listActive(at: Date): Promise<Suppression[]>;
}

/** A chat ticket's digest of agent replies the visitor missed: one mail per window, due after a delay. */
export interface ChatDigest {
  /** `digest:<first missed outbox entry id>`: a replayed miss schedules nothing new. */
  id: string;
  ticketId: string;
  dueAt: Date;
  status: 'pending' | 'done';
  /** Outbox ids of the chat lines the digest mailed (set when done). */
  lineIds: string[];
  createdAt: Date;
}

/**
 * What the offline side of chat keeps: the address a visitor typed for follow-up mail (unverified:
 * it never becomes an email identity of the visitor's contact), and the digests waiting to go out.
 */
export interface ChatFollowUpRepository {
  setAddress(contactId: string, address: string, at: Date): Promise<void>;
  address(contactId: string): Promise<string | null>;
  /** Inserts once; false when a digest with this id exists. */
  scheduleDigest(digest: Omit<ChatDigest, 'status' | 'lineIds'>): Promise<boolean>;
  pendingDigest(ticketId: string): Promise<ChatDigest | null>;
  digestsOf(ticketId: string): Promise<ChatDigest[]>;
  dueDigests(now: Date, limit: number): Promise<ChatDigest[]>;
  markDigestDone(id: string, lineIds: string[], at: Date): Promise<void>;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

export interface TemplateRenderer {
  render(kind: string, locale: Locale, vars: Record<string, unknown>): Promise<RenderedMessage>;
}

export interface ChannelHealth {
  ok: boolean;
  detail: string;
}

/**
 * The shared web surface: the one express router and socket.io server of the gateway. Typed
 * loosely because the core imports no transport library; channels/index.ts names the real types.
 */
export interface WebSurface {
  router: unknown;
  io: unknown;
}

/** One channel (email, chat, web form). start/stop are idempotent. */
export interface ChannelAdapter<Outbound extends OutboundMessage = OutboundMessage> {
  readonly id: string;
  start(sink: IntakeSink): Promise<void>;
  stop(): Promise<void>;
  /** Delivers one outbound message of this channel's variant and says how it went. */
  deliver?(message: Outbound): Promise<DeliveryResult>;
  /** False while the channel has no way out (e.g. no SMTP server configured): its messages wait. */
  canDeliver?(): boolean;
  /**
   * Takes raw bytes the way the channel receives them (a mail's RFC 822 bytes): the pipe command,
   * a quarantine retry (by the item's channel) and tests use it without starting the channel.
   */
  intake?(raw: Buffer, source: string, sink: IntakeSink, options?: { lenient?: boolean }): Promise<IngestResult>;
  /** Attaches HTTP routes and socket.io namespaces; called once, before the server listens. */
  mount?(surface: WebSurface): void;
  health(): Promise<ChannelHealth>;
}

/** One message of a ticket as its customer may see it. */
export interface PublicMessage {
  id: string;
  author: 'customer' | 'agent';
  name?: string;
  text: string;
  at: Date;
  attachments: Array<{ filename: string; size: number }>;
}

export interface PublicThread {
  ticketId: string;
  number: number;
  subject: string;
  status: TicketStatus;
  locale: Locale;
  requester: { email?: string; name?: string };
  messages: PublicMessage[];
}

/** A customer's view of their own ticket (behind a signed link); see public-tickets.service.ts. */
export interface PublicTickets {
  /** The ticket and its public thread, or null when there is no such ticket. */
  thread(ticketId: string): Promise<PublicThread | null>;
  /** Releases the acknowledgement held until the address was verified; null when there is no such ticket. */
  confirmAddress(ticketId: string): Promise<Decision | null>;
  /** The ticket a message was filed on, once it is completely stored; null before (or when there is no such message). */
  filed(channel: ChannelId, externalId: string): Promise<{ ticketNumber: number; ticketId: string } | null>;
}

/** What the composition root hands every channel factory besides the channel's own config slice. */
export interface ChannelDeps {
  blobs: BlobStore;
  checkpoints: CheckpointStore;
  logger: Logger;
  /** The address customers write to, and the other addresses that are ours. */
  supportAddress: string;
  ownAddresses: readonly string[];
  /** Where a channel counts what it sees (e.g. reconnects); nothing is kept when absent. */
  metrics?: Metrics;
  /** The gateway's signing keys (the first signs, all verify): for a channel's own signed tokens. */
  keys: TokenKeys;
  /** A customer's view of their own ticket (behind a signed link), for status pages. */
  tickets: PublicTickets;
  /** Where customers reach the gateway (links in pages and mail), and Redis when several processes share limits. */
  web: { publicUrl: string; redisUrl?: string };
  /** What live channels (chat) need besides; the composition root always provides it. */
  live?: LiveChannelDeps;
}

/**
 * What an agent's socket handshake carries, as the channel read it: a token (ADMIN_TOKEN or a
 * personal API token) in its `auth`, or the console's session cookie with the session's CSRF token
 * and the page's Origin (a browser's). A token, when there is one, is the only thing looked at.
 */
export interface AgentCredentials {
  token?: string;
  /** The raw Cookie header. */
  cookie?: string;
  csrfToken?: string;
  origin?: string;
  /** The Host header the browser sent (a same-origin page's Origin has this host). */
  host?: string;
}

/** The services a live channel talks to: agents act through TicketActions, visitors' lines go to the chat log. */
export interface LiveChannelDeps {
  /** The gateway's signing secret: a channel derives its own keys from it (by label), never stores it. */
  secret: string;
  /** Redis, when configured: live channels share rooms and limits across gateway processes. */
  redisUrl?: string;
  /** Prefix of every Redis key and channel: processes of one deployment (one database) share it, others never meet. */
  redisPrefix: string;
  /** Shown to customers as the author when an agent has no name. */
  supportName: string;
  /** The gateway's public base URL (its own pages' origin is always allowed). */
  publicUrl: string;
  /** What agents do to tickets (a live channel's agents reply through it, audited, via the outbox). */
  actions: TicketActions;
  /** Ticket events as they happen, for live listeners. */
  events: EventSource;
  /** A live conversation's ordered transcript (chat). */
  chatLog: ChatLogRepository;
  /** The agent a live channel's handshake names (an API token, or the console's session), or null. */
  authenticateAgent(credentials: AgentCredentials): Promise<Actor | null>;
  /** A chat visitor's follow-up address, transcripts, and their mail answers as chat lines. */
  followUps: ChatFollowUpPort;
}

/** One per channel in channels/registry.ts: builds the adapter from its config slice. */
export type ChannelFactory<Config, Adapter extends ChannelAdapter = ChannelAdapter> = (config: Config, deps: ChannelDeps) => Adapter;

/**
 * Where a channel consumer keeps its place (its own state shape, e.g. a mailbox cursor), and the
 * lease that makes it the only consumer of that source. `save` succeeds only while the caller
 * still holds the lease. The state is opaque to the core.
 */
export interface CheckpointStore {
  acquireLease(key: string, owner: string, leaseMs: number): Promise<boolean>;
  releaseLease(key: string, owner: string): Promise<void>;
  load(key: string): Promise<Record<string, unknown> | null>;
  save(key: string, owner: string, state: Record<string, number | string>, leaseMs: number): Promise<boolean>;
}

/** What changed on a ticket, for live listeners (the agent console, a chat visitor's status). */
export interface TicketEvent {
  type: string;
  ticketId: string;
  ticketNumber: number;
  actor: string;
  data: Record<string, unknown>;
  at: Date;
  /**
   * The ticket as the publisher just wrote it, when it holds it: a listener in this process (the
   * SLA clock) need not read it back. Never sent to a client.
   */
  ticket?: Ticket;
}

/** Where live listeners subscribe to ticket events; the returned function unsubscribes. */
export interface EventSource {
  subscribe(listener: (event: TicketEvent) => void): () => void;
}

/** Who wrote a line of a live conversation. */
export type ChatAuthor = 'visitor' | 'agent' | 'system';

/** One line of a live conversation, numbered per conversation (1, 2, ...) in the order it was stored. */
export interface ChatEntry {
  seq: number;
  /** Idempotency key: the same key is the same line (a visitor's clientId, an outbound message id). */
  key: string;
  author: ChatAuthor;
  text: string;
  at: Date;
  ticketNumber: number;
  agentName?: string;
}

/**
 * The transcript of live conversations. Sequence numbers are allocated by inserting
 * `<conversation>#<seq>` (unique), never by a counter: safe on servers without atomic updates.
 */
/** A line's key claimed ahead of the line: the number it holds, or that the key was taken before. */
export interface ChatKeyClaim {
  key: string;
  seq: number;
  taken: boolean;
}

export interface ChatLogRepository {
  /**
   * Claims a key for the conversation's next number before the line's fields are known, so the claim
   * can run while a visitor's message is being ingested (the caller holds the conversation's lock).
   * A claim whose line never follows (the ingest failed) is finished by the key's next append, as
   * after a crash between key and line.
   */
  claim(conversationId: string, key: string): Promise<ChatKeyClaim>;
  /** Appends once per key: a repeated key returns the line stored first (`duplicate: true`). */
  append(conversationId: string, line: Omit<ChatEntry, 'seq'>, claim?: ChatKeyClaim): Promise<{ entry: ChatEntry; duplicate: boolean }>;
  byKey(conversationId: string, key: string): Promise<ChatEntry | null>;
  /** Lines after `afterSeq`, in order, at most `limit`. */
  after(conversationId: string, afterSeq: number, limit: number): Promise<ChatEntry[]>;
  /** The conversation a ticket belongs to (recorded by its first line), or null. */
  conversationOf(ticketNumber: number): Promise<string | null>;
}

/** Tells live listeners what changed. Fire and forget: the audit event in the store is the record. */
export interface EventPublisher {
  publish(event: TicketEvent): void;
}

/**
 * Turns stored mail HTML into what an agent may see (sanitized, quotes removed, cid: images at
 * our URLs); the email channel provides it through the registry.
 */
export type HtmlDisplay = (html: string, attachments: AttachmentRef[], cidUrl: (blobId: string) => string, options: { remoteImages?: boolean }) => string;

export interface Clock {
  now(): Date;
}

export interface Repositories {
  tickets: TicketRepository;
  messages: MessageRepository;
  contacts: ContactRepository;
  events: EventRepository;
  outbox: OutboxRepository;
  ackLog: AckLogRepository;
  quarantine: QuarantineRepository;
  blobs: BlobStore;
  checkpoints: CheckpointStore;
  suppressions: SuppressionRepository;
  attempts: IngestAttemptRepository;
  chatFollowUps: ChatFollowUpRepository;
  intakeRules: IntakeRuleStore;
}
