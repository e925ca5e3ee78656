/**
 * Reading text parts without a usable charset label. mailparser decodes a declared charset
 * correctly (windows-125x, KOI8-R, ISO-2022-JP, ...) but reads a part with no charset, or with
 * US-ASCII, as UTF-8, so an HTML part whose only charset is a `<meta>` tag, or an old client's
 * 8-bit Latin-1 text, comes out as U+FFFD replacement characters. Here the original bytes are read
 * the way a browser would: the `<meta>` charset, else UTF-8 when the bytes are valid UTF-8, else
 * windows-1252.
 *
 * Decoding goes through libmime (iconv-lite plus encoding-japanese for the ISO-2022-JP family
 * that iconv-lite lacks), the decoder mailparser uses for declared charsets, so both paths agree.
 * libmime refuses UTF-7: a `<meta charset=utf-7>` could otherwise smuggle `+ADw-script+AD4-` past
 * every filter that looks for `<script>`.
 */
import { isUtf8 } from 'node:buffer';
import { createDecodeStream, decode } from 'libmime/lib/charset.js';

/** The HTML spec prescans 1,024 bytes; mail generators put long `<style>` blocks first, so look further. */
const META_SCAN_BYTES = 8 * 1024;
/** The WHATWG default for unlabeled legacy text, a superset of ISO-8859-1 (it has €, curly quotes). */
const LEGACY_FALLBACK = 'windows-1252';
/** 7-bit encodings: valid UTF-8 byte for byte, yet unreadable unless decoded as what they say they are. */
const SEVEN_BIT_ENCODING = /^(iso-?2022|hz-?gb)/i;

/** The charset an HTML document names in `<meta charset>` or `<meta http-equiv="Content-Type">`. */
export function metaCharset(html: Buffer): string | undefined {
  // latin1 maps bytes 1:1, so the ASCII markup is readable whatever the document's encoding.
  const head = html.subarray(0, META_SCAN_BYTES).toString('latin1');
  // Both forms carry `charset=` inside the tag: <meta charset="x"> and content="text/html; charset=x".
  // `[^<>]*` stops at the next tag, so a run of unclosed `<meta` is read once, not once per start.
  for (const [tag] of head.matchAll(/<meta\b[^<>]*>/gi)) {
    const charset = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag)?.[1];
    if (charset) return charset.toLowerCase();
  }
  return undefined;
}

/** True when libmime can decode the charset (it knows the name and does not refuse it). */
function decodable(charset: string): boolean {
  return createDecodeStream(charset).supported;
}

/**
 * The charset an unlabeled text part is really in, or undefined when reading it as UTF-8 (what
 * mailparser did) is right.
 */
export function unlabeledCharset(bytes: Buffer, html: boolean): string | undefined {
  const named = html ? metaCharset(bytes) : undefined;
  if (isUtf8(bytes)) return named && SEVEN_BIT_ENCODING.test(named) && decodable(named) ? named : undefined;
  return named && decodable(named) ? named : LEGACY_FALLBACK;
}

/** What mailparser made of an unlabeled part: the bytes as UTF-8, with its newline normalization. */
const asMailparserReadIt = (bytes: Buffer) => bytes.toString('utf8').replace(/\r?\n/g, '\n');

/**
 * Replaces mailparser's UTF-8 reading of each unlabeled part inside `body` (its `text` or `html`,
 * where several parts may be joined) with the part's correct reading. A part whose misreading is
 * not found verbatim (format=flowed text, which mailparser rewraps) stays as mailparser left it.
 */
export function rereadUnlabeledParts(body: string, parts: readonly Buffer[], html: boolean): string {
  let result = body;
  for (const bytes of parts) {
    const charset = unlabeledCharset(bytes, html);
    if (!charset) continue;
    const reread = decode(bytes, charset).replace(/\r?\n/g, '\n');
    result = result.replace(asMailparserReadIt(bytes), () => reread);
  }
  return result;
}
