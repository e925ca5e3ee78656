/**
 * The line a mail client writes above the quoted message in a reply ("On … wrote:"), in the
 * languages our customers write in, for the clients email-reply-parser does not know: Gmail in
 * Indonesian (`Pada … menulis:`) and Russian (`пн, 4 мар. 2024 г. в 10:15, Name <a@b>:`),
 * Thunderbird in Russian (`… пишет:`), and the ones Gmail wraps over two lines
 * (`… schrieb Help Desk <` / `support@example.org>:`). Each is matched by its fixed start, a
 * keyword and the closing colon, with string tests, not patterns, so a line costs one pass.
 */

interface Attribution {
  /** How the line starts (any of these); '' when only the keyword tells. */
  starts: readonly string[];
  keyword: string;
}

const ATTRIBUTIONS: readonly Attribution[] = [
  { starts: ['On '], keyword: ' wrote' }, // English (Gmail, Apple Mail, Thunderbird)
  { starts: ['Pada '], keyword: ' menulis' }, // Indonesian (Gmail)
  { starts: ['Am '], keyword: ' schrieb ' }, // German (Gmail, Apple Mail)
  { starts: ['Le '], keyword: ' a écrit' }, // French
  { starts: ['El '], keyword: ' escribió' }, // Spanish
  { starts: ['Em '], keyword: ' escreveu' }, // Portuguese
  { starts: ['Op '], keyword: ' schreef ' }, // Dutch
  { starts: ['пн, ', 'вт, ', 'ср, ', 'чт, ', 'пт, ', 'сб, ', 'вс, '], keyword: ' г. в ' }, // Russian (Gmail)
  { starts: [''], keyword: ' пишет' }, // Russian (Thunderbird, Yandex, Mail.ru)
];

/** Attribution lines are a date and a name: far shorter than this, even wrapped. */
const MAX_ATTRIBUTION_CHARS = 400;

export function isQuoteAttribution(line: string): boolean {
  const text = line.trim();
  if (text.length > MAX_ATTRIBUTION_CHARS || !text.endsWith(':')) return false;
  return ATTRIBUTIONS.some((a) => a.starts.some((s) => text.startsWith(s)) && text.includes(a.keyword));
}

const isQuoted = (line: string | undefined) => line !== undefined && line.trimStart().startsWith('>');

/**
 * The lines before a reply's quoted history: before an attribution line (or one wrapped over two
 * lines) that the quote (`>` lines) follows, when the customer wrote above it (top posting). When
 * the attribution comes first, the reply is below the quote (bottom posting): all lines are kept
 * and email-reply-parser removes the quote.
 */
export function beforeQuoteAttribution(lines: readonly string[]): readonly string[] {
  const first = lines.findIndex((l) => l.trim() !== '');
  for (let i = first + 1; i > 0 && i < lines.length; i += 1) {
    for (const span of [1, 2]) {
      if (i + span > lines.length) break;
      const joined = lines.slice(i, i + span).map((l) => l.trim()).join(' ');
      if (!isQuoteAttribution(joined)) continue;
      let next = i + span;
      while (next < lines.length && !lines[next]!.trim()) next += 1;
      if (isQuoted(lines[next])) return lines.slice(0, i);
    }
  }
  return lines;
}
