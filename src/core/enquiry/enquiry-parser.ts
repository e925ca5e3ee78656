/**
 * Finds a progress enquiry in a customer's words: "status #123", "what is the status of ticket
 * #123", "bagaimana status tiket #123", "progress of 123", "perkembangan tiket no 123". Only the
 * start of the message is read, split into plain tokens (no pattern over the whole text), and the
 * ticket number must follow the keyword within a few filler words.
 */
import { tokenize } from '../rules/intake-facts.ts';

/** An enquiry is a short question near the top; a long mail that mentions a status somewhere is not one. */
const READ_CHARS = 400;
const KEYWORDS = new Set(['status', 'statusnya', 'progress', 'perkembangan']);
/** Words that may stand between the keyword and the number. */
const FILLER = new Set(['of', 'for', 'on', 'my', 'the', 'ticket', 'case', 'request', 'no', 'nomor', 'number', 'tiket', 'untuk', 'dari', 'saya', 'permintaan', 'kasus']);
const MAX_GAP = 4;

/** The ticket number asked about, or null. */
export function enquiredTicket(subject: string, text: string): number | null {
  for (const source of [text, subject]) {
    const tokens = tokenize(source.slice(0, READ_CHARS));
    for (let i = 0; i < tokens.length; i++) {
      if (!KEYWORDS.has(tokens[i]!)) continue;
      for (let j = i + 1; j <= i + 1 + MAX_GAP && j < tokens.length; j++) {
        const t = tokens[j]!;
        if (/^\d{1,9}$/.test(t)) return Number(t);
        if (!FILLER.has(t)) break;
      }
    }
  }
  return null;
}
