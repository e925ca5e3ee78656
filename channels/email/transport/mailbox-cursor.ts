/**
 * The IMAP consumer's checkpoint: the mailbox's UIDVALIDITY epoch and the last UID taken. The
 * core's CheckpointStore keeps it without reading it; only this channel knows its shape.
 */
export type MailboxCursor = { uidValidity: number; lastUid: number };

/** A stored checkpoint as a cursor, or null when there is none (or it is not one). */
export function asMailboxCursor(state: Record<string, unknown> | null): MailboxCursor | null {
  if (!state || typeof state.uidValidity !== 'number') return null;
  return { uidValidity: state.uidValidity, lastUid: typeof state.lastUid === 'number' ? state.lastUid : 0 };
}
