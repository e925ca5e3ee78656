/** The part of a reply the customer just wrote: quoted history and signatures removed. */
import EmailReplyParser from 'email-reply-parser';

export function visibleReplyText(text: string): string {
  if (!text.trim()) return '';
  try {
    const visible = new EmailReplyParser().read(text).getVisibleText().trim();
    return visible || text.trim();
  } catch {
    return text.trim(); // the parser's regexes can fail on odd input; the full text is never lost
  }
}
