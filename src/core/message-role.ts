/**
 * The role a message plays on its ticket. Ingest decides it once, when it places the message, and
 * stores it on the message; after that (a replay included) the handler for that role does the
 * role's follow-up writes. Each handler's writes are idempotent.
 */
import type { Contact, InboundMessage, StoredMessage, Ticket } from './types.ts';

export type MessageRole = 'customer' | 'agent' | 'bounce';

export interface RoleContext {
  message: InboundMessage;
  stored: StoredMessage;
  ticket: Ticket;
  contact: Contact | null;
  at: Date;
}

export interface RoleOutcome {
  /** The audit event type for the message. */
  eventType: string;
  /** What the role did, for the ingest result (e.g. a delivery report's effect). */
  notes: string[];
  /** The ticket with what the role wrote to it applied, when the role knows (saves a re-read). */
  ticket?: Ticket;
}

export interface RoleHandler {
  finish(ctx: RoleContext): Promise<RoleOutcome>;
}

/** The stored role; messages stored before roles were recorded get it back from what they are. */
export function roleOf(stored: StoredMessage, message: InboundMessage): MessageRole {
  return stored.role ?? (stored.author === 'agent' ? 'agent' : message.classification === 'bounce' ? 'bounce' : 'customer');
}
