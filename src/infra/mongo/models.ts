/** Binds the schemas to one mongoose connection (tests use one connection, one database, per file). */
import type { Connection } from 'mongoose';
import { agentFanoutSchema } from './agent-fanout.schemas.ts';
import { migrateFanoutMarks } from './agent-fanout.migration.ts';
import { chatDigestSchema, chatFollowUpSchema } from './chat-follow-up.schemas.ts';
import { migrateContacts } from './contact.migration.ts';
import { backfillConversationTickets } from './conversation-tickets.ts';
import { intakeRuleListSchema } from './intake-rule.schemas.ts';
import {
  ackCountSchema, chatConversationSchema, conversationTicketSchema, migrationSchema, chatKeySchema, chatLineSchema, contactIdentitySchema, contactSchema, counterSchema, ingestAttemptSchema, mailboxCursorSchema, messageSchema, outboxClaimSchema, outboxDoneSchema, outboxSchema, outboxSenderSchema,
  quarantineSchema, suppressionSchema, ticketEventSchema, ticketNumberSchema, ticketSchema,
} from './schemas.ts';

export function createModels(conn: Connection) {
  return {
    Ticket: conn.model('Ticket', ticketSchema),
    Message: conn.model('Message', messageSchema),
    Contact: conn.model('Contact', contactSchema),
    ContactIdentity: conn.model('ContactIdentity', contactIdentitySchema),
    Counter: conn.model('Counter', counterSchema),
    ConversationTicket: conn.model('ConversationTicket', conversationTicketSchema),
    Migration: conn.model('Migration', migrationSchema),
    TicketNumber: conn.model('TicketNumber', ticketNumberSchema),
    MailboxCursor: conn.model('MailboxCursor', mailboxCursorSchema),
    Outbox: conn.model('Outbox', outboxSchema),
    OutboxDone: conn.model('OutboxDone', outboxDoneSchema),
    OutboxClaim: conn.model('OutboxClaim', outboxClaimSchema),
    OutboxSender: conn.model('OutboxSender', outboxSenderSchema),
    Quarantine: conn.model('Quarantine', quarantineSchema),
    TicketEvent: conn.model('TicketEvent', ticketEventSchema),
    AgentFanout: conn.model('AgentFanout', agentFanoutSchema),
    AckCount: conn.model('AckCount', ackCountSchema),
    Suppression: conn.model('Suppression', suppressionSchema),
    IngestAttempt: conn.model('IngestAttempt', ingestAttemptSchema),
    ChatLine: conn.model('ChatLine', chatLineSchema),
    ChatKey: conn.model('ChatKey', chatKeySchema),
    ChatConversation: conn.model('ChatConversation', chatConversationSchema),
    ChatFollowUp: conn.model('ChatFollowUp', chatFollowUpSchema),
    ChatDigest: conn.model('ChatDigest', chatDigestSchema),
    IntakeRuleList: conn.model('IntakeRuleList', intakeRuleListSchema),
  };
}

export type Models = ReturnType<typeof createModels>;

/**
 * Brings stored data to the current shape, then creates the indexes declared in the schemas
 * (unique ones are what make replays safe).
 */
export async function ensureIndexes(models: Models): Promise<void> {
  await migrateContacts(models);
  await migrateFanoutMarks(models);
  await backfillConversationTickets(models);
  for (const model of Object.values(models)) await model.createIndexes();
}
