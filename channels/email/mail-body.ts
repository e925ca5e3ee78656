/**
 * The readable body of a parsed mail: its full text, its raw HTML and the visible reply. Text
 * parts without a usable charset label are re-read first (charset.ts). A mail with HTML but no text part
 * gets its text from the HTML, and its visible text from the HTML without the quoted history, so
 * an HTML-only reply still shows what the customer wrote.
 */
import type { ParsedMail } from 'mailparser';
import { rereadUnlabeledParts } from './charset.ts';
import { stripQuoteContainers } from './html-quotes.ts';
import { htmlToPlainText } from './html-text.ts';
import type { UnlabeledTextPart } from './mime-structure.ts';
import { visibleReplyText } from './reply-text.ts';

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
  return { text: htmlToPlainText(html), html, visibleText: visibleReplyText(htmlToPlainText(stripQuoteContainers(html))) };
}
