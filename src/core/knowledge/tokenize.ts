/**
 * Turns text into search terms: lowercase, accents folded, split on anything but letters and
 * digits, stop words (en + id) and one-letter words dropped. The input is capped before any regex
 * runs, and so is the number of terms, so a huge mail costs a bounded amount of work.
 */
import { STOP_WORDS } from './stop-words.ts';

/** Characters of text looked at (a ticket's subject and first message are far shorter). */
export const MAX_TEXT_CHARS = 20_000;
/** Distinct terms kept per text. */
export const MAX_TERMS = 300;
const MAX_TERM_CHARS = 40;

/** Every term occurrence, in order (repeats kept: the ranking counts them). */
export function termsOf(text: string): string[] {
  const folded = text.slice(0, MAX_TEXT_CHARS).normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const out: string[] = [];
  for (const word of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 2 || word.length > MAX_TERM_CHARS || STOP_WORDS.has(word)) continue;
    out.push(word);
  }
  return out;
}

/** The distinct terms of a text, at most MAX_TERMS (the first ones win). */
export function distinctTerms(...texts: string[]): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const term of termsOf(text)) {
      if (seen.size >= MAX_TERMS) return [...seen];
      seen.add(term);
    }
  }
  return [...seen];
}
