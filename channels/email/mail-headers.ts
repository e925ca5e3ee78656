/** Read-only access to a parsed mail's raw header lines, case-insensitively. */
import { isUtf8 } from 'node:buffer';
import type { ParsedMail } from 'mailparser';

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

/** Every value of a header, unfolded, without the `Name:` prefix. */
export function headerValues(lines: HeaderLines, name: string): string[] {
  const key = name.toLowerCase();
  return lines
    .filter((h) => h.key === key)
    .map((h) => asUnicode(h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim()));
}

export function headerValue(lines: HeaderLines, name: string): string | undefined {
  return headerValues(lines, name)[0];
}

/** Bare addresses mentioned in a header value (`"Name" <a@b>, c@d` -> [a@b, c@d]). */
export function addressesIn(value: string): string[] {
  return [...value.matchAll(/[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g)].map((m) => m[0].toLowerCase());
}

/** Message-IDs in an In-Reply-To or References value, without angle brackets. */
export function messageIdsIn(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(' ') : value ?? '';
  const bracketed = [...joined.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (bracketed.length) return bracketed;
  return joined.split(/\s+/).filter((v) => v.includes('@'));
}
