/** Read-only access to a parsed mail's raw header lines, case-insensitively. */
import { isUtf8 } from 'node:buffer';
import type { ParsedMail } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { capped, MAX_HEADER_CHARS } from './input-caps.ts';

export type HeaderLines = ParsedMail['headerLines'];

/**
 * mailparser keeps raw header lines as binary strings, one character per byte. RFC 6532 allows
 * UTF-8 in header fields (`From: Zoë <zoë@exämple.de>`), so bytes that form valid UTF-8 are read
 * as such; anything else stays as it came.
 */
function asUnicode(line: string): string {
  if (!/[\x80-\xff]/.test(line) || /[^\x00-\xff]/.test(line)) return line;
  const bytes = Buffer.from(line, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : line;
}

/**
 * Every value of a header, unfolded, without the `Name:` prefix, and capped at MAX_HEADER_CHARS:
 * a header may be a megabyte long, and every pattern that reads one only needs its head.
 */
export function headerValues(lines: HeaderLines, name: string): string[] {
  const key = name.toLowerCase();
  return lines
    .filter((h) => h.key === key)
    .map((h) => {
      // Unfolding removes at most two characters per fold, so this head unfolds to the cap or more.
      const head = capped(h.line.slice(h.line.indexOf(':') + 1), 3 * MAX_HEADER_CHARS);
      return asUnicode(capped(head.replace(/\r?\n[ \t]+/g, ' ').trim(), MAX_HEADER_CHARS));
    });
}

export function headerValue(lines: HeaderLines, name: string): string | undefined {
  return headerValues(lines, name)[0];
}

/**
 * Bare addresses in an address header value (`"Name" <a@b>, c@d` -> [a@b, c@d]), read by
 * nodemailer's addressparser (a single-pass tokenizer, so linear in the capped value).
 */
export function addressesIn(value: string): string[] {
  return addressparser(capped(value, MAX_HEADER_CHARS), { flatten: true })
    .map((a) => a.address.trim().toLowerCase())
    .filter((a) => a.includes('@'));
}

/** Message-IDs in an In-Reply-To or References value, without angle brackets. */
export function messageIdsIn(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : value ?? '';
  // `<[^<>\s]+>` only starts at a `<` and stops at the next one, so it reads each character once.
  const bracketed = [...joined.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (bracketed.length) return bracketed;
  return joined.split(/\s+/).filter((v) => v.includes('@'));
}
