/**
 * The readable body of a parsed mail: its full text, its raw HTML and the visible reply. Text
 * parts without a usable charset label are re-read first (charset.ts). A mail with HTML but no text part
 * gets its text from the HTML, and its visible text from the HTML without the quoted history, so
 * an HTML-only reply still shows what the customer wrote.
 */
import type { ParsedMail } from 'mailparser';
import { rereadUnlabeledParts } from '../parse/charset.ts';
import { stripQuoteContainers } from './html-quotes.ts';
import { htmlToPlainText } from './html-text.ts';
import { capped } from '../parse/input-caps.ts';
import type { UnlabeledTextPart } from '../parse/mime-structure.ts';
import { visibleReplyText } from './reply-text.ts';

/**
 * How much of an HTML-only mail is converted to text. The converters are linear but slow (about
 * 1 s per MiB each), and a mail may carry 20 MiB of HTML: the raw HTML is kept whole, its text
 * is read from the head. What a customer just wrote comes first, so the visible text needs less.
 */
const MAX_HTML_TO_TEXT_CHARS = 1024 * 1024;
const MAX_HTML_TO_VISIBLE_CHARS = 256 * 1024;

export interface MailBody {
  text: string;
  /** Raw, as received (re-read only where its charset label was missing or wrong); sanitized when displayed. */
  html?: string;
  visibleText: string;
}

/** `parsed` must come from simpleParser with `skipHtmlToText`, so `text` holds only real text parts. */
export function mailBody(parsed: ParsedMail, unlabeled: readonly UnlabeledTextPart[]): MailBody {
  const bytesOf = (html: boolean) => unlabeled.filter((p) => p.html === html).map((p) => p.bytes);
  const text = rereadUnlabeledParts(parsed.text ?? '', bytesOf(false), false);
  if (typeof parsed.html !== 'string') return { text, visibleText: visibleReplyText(text) };
  const html = rereadUnlabeledParts(parsed.html, bytesOf(true), true);
  if (text.trim()) return { text, html, visibleText: visibleReplyText(text) };
  return {
    text: htmlToPlainText(capped(html, MAX_HTML_TO_TEXT_CHARS)),
    html,
    visibleText: visibleReplyText(htmlToPlainText(stripQuoteContainers(capped(html, MAX_HTML_TO_VISIBLE_CHARS)))),
  };
}
