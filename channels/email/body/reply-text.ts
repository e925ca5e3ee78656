/**
 * The part of a reply the customer just wrote: quoted history and signatures removed, by
 * email-reply-parser (pinned at 2.3.7). It knows the "On … wrote:" lines of Gmail, Apple Mail and
 * Thunderbird in many languages, `>` quoting, `-----Original Message-----`, `-- ` signatures and
 * "Sent from my …" lines. Two things are added around it:
 * - Outlook's header block (`From: …` then `Sent: …`, translated) starts the history even when
 *   the sender has no `<address>`, which the parser's own pattern needs;
 * - attribution lines the parser does not know (quote-attribution.ts: Indonesian, Russian, and
 *   lines Gmail wraps) start it too;
 * - a forwarded message (forward-marker.ts) is what the customer wants read, so it stays.
 * The full text is stored separately; when nothing would be left, the full text is the answer.
 */
import EmailReplyParser from 'email-reply-parser';
import { isForwardMarker } from './forward-marker.ts';
import { capped, MAX_LINE_CHARS } from '../parse/input-caps.ts';
import { beforeQuoteAttribution } from './quote-attribution.ts';

/**
 * Without the RE2 engine, some of the parser's patterns backtrack catastrophically (4 KB of
 * crafted lines take a quarter second, 8 KB seconds, 64 KB minutes), so it only reads the head of
 * a long text. A reply's own words come first, and the common quote headers (Outlook's block,
 * attribution lines) are cut before the parser runs; when the head shows no quote or signature,
 * the whole text is returned.
 */
const PARSED_HEAD_CHARS = 4 * 1024;

const OUTLOOK_FROM = /^\s*\*?(From|Von|De|Da|Van|Från|Fra|Od|От|Dari|差出人|发件人|寄件者)\s*:/i;
const OUTLOOK_SENT = /^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada|Inviato|Data|Verzonden|Skickat|Sendt|Wysłano|Отправлено|Dikirim|Tanggal|送信日時|发送时间|日期)(\s+\p{L}+)?\s*:/iu;
/** OWA and Outlook.com draw a line of underscores above the header block. */
const RULE_LINE = /^\s*_{10,}\s*$/;

/** Lines before Outlook's header block (and the rule above it), or all lines when there is none. */
function beforeOutlookHeader(lines: string[]): string[] {
  const is = (pattern: RegExp, line: string) => pattern.test(capped(line, MAX_LINE_CHARS));
  const start = lines.findIndex((line, i) => is(OUTLOOK_FROM, line) && lines.slice(i + 1, i + 4).some((l) => is(OUTLOOK_SENT, l)));
  if (start < 0) return lines;
  const end = start > 0 && is(RULE_LINE, lines[start - 1]!) ? start - 1 : start;
  return lines.slice(0, end);
}

function parsedVisibleText(text: string): string {
  const head = text.length > PARSED_HEAD_CHARS ? text.slice(0, text.lastIndexOf('\n', PARSED_HEAD_CHARS) + 1 || PARSED_HEAD_CHARS) : text;
  try {
    const email = new EmailReplyParser().read(head);
    const hidSomething = email.getFragments().some((f) => f.isHidden() && f.getContent().trim() !== '');
    if (head !== text && !hidSomething) return text;
    return email.getVisibleText().trim() || text;
  } catch {
    return text; // the parser's regexes can fail on odd input; the full text is never lost
  }
}

/** The new part of a plain-text reply. */
export function visibleReplyText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const forwardAt = lines.findIndex(isForwardMarker);
  const note = forwardAt < 0 ? lines : lines.slice(0, forwardAt);
  const forwarded = forwardAt < 0 ? '' : lines.slice(forwardAt).join('\n').trim();
  const own = beforeQuoteAttribution(beforeOutlookHeader(note)).join('\n').trim();
  const visible = [own && parsedVisibleText(own), forwarded].filter(Boolean).join('\n\n');
  return visible || text.trim();
}
