/** Which outbox entry carried a stored outbound message to the customer. */
import type { OutboxEntry, StoredMessage } from './types.ts';

/**
 * The outbox entry that carried a stored message to the customer, if any: the mail with its
 * Message-ID, else the entry queued for it (a status update's copy is `outbox:<id>`; a live chat
 * message is `reply:<externalId>`; lines a gone visitor missed go out later in one digest mail).
 */
export function deliveryOf(m: StoredMessage, entries: OutboxEntry[]): OutboxEntry | undefined {
  return entries.find((e) => (e.channel === 'email' && m.rfcMessageId && e.messageId === m.rfcMessageId) || `outbox:${e.id}` === m.externalId)
    ?? entries.find((e) => e.id === `reply:${m.externalId}`);
}
