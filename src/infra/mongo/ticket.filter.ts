/**
 * A ticket list filter as a MongoDB query. Every value is forced to a string (an object from
 * outside can never become an operator), and subject text is escaped, so it is matched literally.
 */
import type { TicketFilter } from '../../core/index.ts';

/** Subject text is capped before it ever becomes a pattern. */
const MAX_SUBJECT_TEXT = 200;

export const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export function ticketFilter(f: TicketFilter): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const key of ['status', 'channel', 'tier', 'priority', 'category', 'requesterId'] as const) {
    if (f[key] !== undefined) query[key] = String(f[key]);
  }
  if (f.assigneeId === null) query.assigneeId = { $exists: false };
  else if (f.assigneeId !== undefined) query.assigneeId = String(f.assigneeId);
  if (f.subjectContains) query.subject = { $regex: escapeRegex(String(f.subjectContains).slice(0, MAX_SUBJECT_TEXT)), $options: 'i' };
  return query;
}
