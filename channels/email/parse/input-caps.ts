/**
 * Caps applied to text from a mail before any pattern runs over it. Real header values are a few
 * hundred characters (a long References or To line a few KiB) and real text lines under 1,000;
 * an attacker's can be megabytes. Every regex in this folder is linear, and these caps keep even
 * a linear scan, repeated per line or per header, cheap.
 */

/** A header value after unfolding: room for ~200 recipients or Message-IDs. */
export const MAX_HEADER_CHARS = 16 * 1024;
/** One body line, as far as line patterns (quote headers, forward markers) look at it. */
export const MAX_LINE_CHARS = 4 * 1024;
/** The subject a ticket keeps and a subject pattern reads. */
export const MAX_SUBJECT_CHARS = 2 * 1024;

/** `value` cut to `max` characters (without splitting a surrogate pair). */
export function capped(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
