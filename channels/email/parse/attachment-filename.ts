/**
 * A mail's attachment name made safe to store and to offer for download. The name is the
 * sender's to choose, so it may carry a path (`../../etc/passwd`, `C:\boot.ini`), control
 * characters (a NUL or CR/LF that cuts a Content-Disposition header in two), or Unicode bidi
 * controls that make `invoice‮fdp.exe` read as `invoiceexe.pdf`. Those go; letters of any
 * script stay, in NFC so that one name has one spelling.
 */

/** Bytes a file name may have on common file systems (ext4, NTFS, APFS allow 255). */
const MAX_NAME_BYTES = 200;
/** C0/C1 controls and the bidi embedding, override and isolate controls. */
const UNSAFE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Shortens `name` to MAX_NAME_BYTES of UTF-8, keeping its extension and whole characters. */
function clip(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  let stem = '';
  for (const char of name.slice(0, name.length - ext.length)) {
    if (Buffer.byteLength(stem + char + ext) > MAX_NAME_BYTES) break;
    stem += char;
  }
  return stem + ext;
}

/** `[.\s]+$` as a loop: the pattern retries from every dot or space of a long run. */
function withoutTrailingDotsAndSpaces(name: string): string {
  let end = name.length;
  while (end > 0 && /[.\s]/.test(name[end - 1]!)) end -= 1;
  return name.slice(0, end);
}

/** The stored name of attachment `index` (0-based): its own name made safe, else `attachment-<n>`. */
export function storageFilename(name: string | undefined, index: number): string {
  const base = (name ?? '').normalize('NFC').replace(UNSAFE, '').split(/[\\/]/).pop() ?? '';
  // Leading dots hide a file or name `..`; trailing dots and spaces vanish on Windows.
  const trimmed = withoutTrailingDotsAndSpaces(base.trim().replace(/^\.+/, ''));
  return trimmed ? clip(trimmed) : `attachment-${index + 1}`;
}
