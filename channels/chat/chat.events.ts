/**
 * The public chat protocol in one place: every event each side may send, the payload schemas the
 * server checks them against, and the stable error codes of a rejection. docs/chat-protocol.md
 * documents the same names; third-party clients depend on them, so they never change meaning.
 */
import { z } from 'zod';
import type { ChatAuthor, TicketStatus } from '../../src/core/index.ts';

/** Why an event or request was refused. Stable: clients branch on them. */
export const ChatErrorCodes = {
  /** The payload does not match the event's schema (missing field, wrong type, bad clientId). */
  INVALID_PAYLOAD: 'invalid-payload',
  /** The text is longer than the configured maximum (CHAT_MAX_TEXT_LENGTH). */
  TOO_LONG: 'too-long',
  /** Too many events from this socket, or messages from this visitor; try again later. */
  RATE_LIMITED: 'rate-limited',
  /** The store could not be reached; nothing was stored, resend with the same clientId. */
  UNAVAILABLE: 'unavailable',
  /** The message was refused for good (e.g. quarantined); resending will not help. */
  NOT_STORED: 'not-stored',
  /** Handshake or request without a valid token. */
  UNAUTHORIZED: 'unauthorized',
  /** The site key is not configured. */
  UNKNOWN_SITE: 'unknown-site',
  /** The page's origin is not allowed for this site key. */
  ORIGIN_NOT_ALLOWED: 'origin-not-allowed',
  /** No such ticket, or it is not a chat conversation. */
  NOT_FOUND: 'not-found',
  /** A transcript was asked for, but the visitor left no address (send `followup:email` first). */
  NO_EMAIL: 'no-email',
  /** A transcript was asked for before the visitor's first message: there is no conversation yet. */
  NO_CONVERSATION: 'no-conversation',
} as const;
export type ChatErrorCode = (typeof ChatErrorCodes)[keyof typeof ChatErrorCodes];

export type Failure = { ok: false; code: ChatErrorCode };
export type Ack<T> = (answer: ({ ok: true } & T) | Failure) => void;

/** What the visitor sees of one line of the conversation. */
export interface ChatMessage {
  seq: number;
  author: ChatAuthor;
  text: string;
  /** ISO 8601. */
  at: string;
  agentName?: string;
}

/** A client's own id for a message: resending it with the same id stores nothing new. */
const clientId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
const seq = z.number().int().min(0).max(1e10);
/** The text is capped by the channel's configured length (checked apart, with its own code). */
const text = z.string().min(1).max(100_000).refine((t) => t.trim().length > 0, 'empty');

export const visitorPayloads = {
  'message:send': z.object({ clientId, text }).strict(),
  history: z.object({ afterSeq: seq }).strict(),
  typing: z.object({ typing: z.boolean() }).strict(),
};

/** The visitor's offline requests (channels/chat/offline). The address is capped before it is checked. */
export const offlinePayloads = {
  'followup:email': z.object({
    email: z.string().max(254).trim().pipe(z.string().regex(/^[^\s@<>()",;:]{1,64}@[a-z0-9.-]{1,189}\.[a-z]{2,63}$/i)),
  }).strict(),
  'transcript:request': z.object({}).strict(),
};

export const agentPayloads = {
  'conversation:join': z.object({ ticketNumber: z.number().int().min(1) }).strict(),
  'message:send': z.object({ ticketNumber: z.number().int().min(1), clientId, text }).strict(),
  typing: z.object({ ticketNumber: z.number().int().min(1), typing: z.boolean() }).strict(),
};

export const visitorRequest = z.object({
  siteKey: z.string().min(1).max(64),
  locale: z.enum(['en', 'id']).optional(),
  visitorToken: z.string().min(1).max(2048).optional(),
  identity: z.object({
    email: z.string().max(254).email(),
    name: z.string().max(200).optional(),
    signature: z.string().max(256),
  }).optional(),
}).strict();

/** /chat: visitor -> server. */
export interface VisitorToServer {
  'message:send': (payload: z.infer<typeof visitorPayloads['message:send']>, ack: Ack<{ seq: number; ticketNumber: number }>) => void;
  history: (payload: z.infer<typeof visitorPayloads.history>, ack: Ack<{ messages: ChatMessage[] }>) => void;
  typing: (payload: z.infer<typeof visitorPayloads.typing>) => void;
  'followup:email': (payload: z.infer<typeof offlinePayloads['followup:email']>, ack: Ack<object>) => void;
  'transcript:request': (payload: z.infer<typeof offlinePayloads['transcript:request']>, ack: Ack<{ email: string }>) => void;
}

/** /chat: server -> visitor. */
export interface ServerToVisitor {
  message: (message: ChatMessage) => void;
  typing: (payload: { typing: boolean; agentName?: string }) => void;
  presence: (payload: { agentsOnline: number }) => void;
  status: (payload: { ticketNumber: number; status: TicketStatus }) => void;
  error: (payload: Failure & { event: string }) => void;
}

/** What an agent sees of one line: the visitor's message plus its ticket. */
export interface AgentMessage extends ChatMessage {
  ticketNumber: number;
}

/** /agents: agent -> server. */
export interface AgentToServer {
  'conversation:join': (payload: z.infer<typeof agentPayloads['conversation:join']>, ack: Ack<{ ticketNumber: number; messages: ChatMessage[] }>) => void;
  'message:send': (payload: z.infer<typeof agentPayloads['message:send']>, ack: Ack<{ seq: number }>) => void;
  typing: (payload: z.infer<typeof agentPayloads.typing>) => void;
}

/** /agents: server -> agent. */
export interface ServerToAgent {
  'conversation:new': (payload: { ticketNumber: number; visitorId: string; name?: string; text: string; at: string }) => void;
  message: (message: AgentMessage) => void;
  typing: (payload: { ticketNumber: number; typing: boolean }) => void;
  error: (payload: Failure & { event: string }) => void;
}

/** Between gateway processes (socket.io serverSideEmit over Redis). */
export interface InterServer {
  /** New lines in this conversation: every process pumps them to its own sockets there. */
  lines: (conversationId: string) => void;
}

/** What io.use leaves on a visitor's socket: identity from the token only. */
export interface VisitorData {
  visitorId: string;
  siteKey: string;
  locale?: 'en' | 'id';
  email?: string;
  name?: string;
  /** Highest seq this socket has been sent; the pump sends only what follows. */
  cursor: number;
  /** The conversation's current ticket, once known (agents' typing indicator goes there). */
  ticketNumber?: number;
}

export interface AgentData {
  agentId: string;
  agentName: string;
}
