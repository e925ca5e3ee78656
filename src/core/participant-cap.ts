/**
 * Caps how many participants one mail and one ticket can add: 50,000 Cc addresses must become a
 * ticket with a bounded participant list (and bounded work: one contact lookup per kept address),
 * not a document past 16 MB. What was left out is recorded, and the ticket is flagged.
 */
import type { Address } from './types.ts';

export const PARTICIPANTS_CAPPED = 'participants-capped';
/** How many left-out addresses the audit event names (the rest only counted; the raw mail has them all). */
const SAMPLE = 20;

export interface ParticipantLimits {
  perMail: number;
  perTicket: number;
}

export interface CappedRecipients {
  /** Addresses to turn into participants (deduplicated, ours removed, within both caps). */
  keep: Address[];
  dropped: number;
  droppedSample: string[];
}

/**
 * `sender` says whether the mail has a sender contact (it takes one slot of the mail's budget) and
 * whether that sender is new to the ticket (then it also takes one of the ticket's); `onTicket` is
 * how many participants the ticket already has.
 */
export function capParticipants(
  cc: Address[], own: ReadonlySet<string>, sender: { inMail: boolean; newToTicket: boolean }, onTicket: number, limits: ParticipantLimits,
): CappedRecipients {
  const seen = new Set<string>();
  const candidates: Address[] = [];
  for (const a of cc) {
    const address = a.address.toLowerCase();
    if (own.has(address) || seen.has(address)) continue;
    seen.add(address);
    candidates.push(a);
  }
  const room = Math.max(0, Math.min(
    limits.perMail - (sender.inMail ? 1 : 0),
    limits.perTicket - onTicket - (sender.newToTicket ? 1 : 0),
  ));
  const keep = candidates.slice(0, room);
  const left = candidates.slice(room, room + SAMPLE).map((a) => a.address);
  return { keep, dropped: candidates.length - keep.length, droppedSample: left };
}
