/**
 * Removes the quoted history that mail clients append to an HTML reply, so an agent sees what the
 * customer just wrote. Each client marks its quote in its own way (the table below); the marks are
 * found in a real DOM (htmlparser2), not with regular expressions over markup. A forwarded message
 * is kept (forward-marker.ts), and when removing the quotes would leave nothing to read (a bare
 * forward from Outlook, whose header block looks like a reply's), the HTML is returned whole.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import type { AnyNode, Document, Element } from 'domhandler';
import { isForwardMarker } from './forward-marker.ts';
import { nestsDeeperThan } from './html-nesting.ts';

/** What goes with a marker: the element itself, it and the quote that follows, or the rest of the mail. */
type Removal = 'element' | 'element-and-next-blockquote' | 'rest-of-mail';

interface QuoteMarker {
  matches(el: Element): boolean;
  removal: Removal;
}

const hasClass = (el: Element, name: string) => (el.attribs.class ?? '').split(/\s+/).includes(name);

const MARKERS: readonly QuoteMarker[] = [
  // Gmail: the "On … wrote:" line (div.gmail_attr) and the quote sit inside div.gmail_quote.
  { matches: (el) => el.name === 'div' && (hasClass(el, 'gmail_quote') || hasClass(el, 'gmail_quote_container')), removal: 'element' },
  // Apple Mail (with its "On … wrote:" line inside) and Thunderbird quote in <blockquote type="cite">.
  { matches: (el) => el.name === 'blockquote' && el.attribs.type?.toLowerCase() === 'cite', removal: 'element' },
  // Thunderbird puts its "On … wrote:" line in div.moz-cite-prefix, right before the blockquote.
  { matches: (el) => el.name === 'div' && hasClass(el, 'moz-cite-prefix'), removal: 'element-and-next-blockquote' },
  // Outlook on the web / Outlook 365: everything from the "From: … Sent: …" block on is history;
  // newer versions mark where the history starts with div#appendonsend.
  { matches: (el) => ['divRplyFwdMsg', 'appendonsend', 'mail-editor-reference-message-container'].includes(el.attribs.id ?? ''), removal: 'rest-of-mail' },
  // Outlook desktop (Word's HTML): the header block is a div with a thin top border.
  { matches: (el) => el.name === 'div' && /border-top:\s*solid\s+#(e1e1e1|b5c4df)/i.test(el.attribs.style ?? ''), removal: 'rest-of-mail' },
  // Yahoo Mail.
  { matches: (el) => el.name === 'div' && hasClass(el, 'yahoo_quoted'), removal: 'element' },
];

/** A quote container that actually holds a forwarded message, which is kept. */
function holdsForward(el: Element): boolean {
  const [firstText] = DomUtils.find((n) => DomUtils.isText(n) && n.data.trim() !== '', [el], true, 1);
  return firstText !== undefined && DomUtils.isText(firstText) && isForwardMarker(firstText.data);
}

function isAttached(node: AnyNode, doc: Document): boolean {
  let at: AnyNode | null = node;
  while (at && at !== doc) at = at.parent;
  return at === doc;
}

function removeWithFollowingSiblings(node: AnyNode): void {
  for (let at: AnyNode | null = node; at;) {
    const next: AnyNode | null = at.next;
    DomUtils.removeElement(at);
    at = next;
  }
}

/** Removes `el` and everything after it in document order, and a rule line (<hr>) right before it. */
function removeRestOfMail(el: Element): void {
  const before = DomUtils.prevElementSibling(el);
  const start = before?.name === 'hr' ? before : el;
  const ancestors: AnyNode[] = [];
  for (let p = start.parent; p; p = p.parent) ancestors.push(p);
  removeWithFollowingSiblings(start);
  for (const ancestor of ancestors) if (ancestor.next) removeWithFollowingSiblings(ancestor.next);
}

function remove(el: Element, removal: Removal): void {
  if (removal === 'rest-of-mail') return removeRestOfMail(el);
  const next = DomUtils.nextElementSibling(el);
  DomUtils.removeElement(el);
  if (removal === 'element-and-next-blockquote' && next?.name === 'blockquote') DomUtils.removeElement(next);
}

/** The HTML without the quoted history of a reply; markup nested too deep to parse is returned as it is. */
export function stripQuoteContainers(html: string): string {
  if (nestsDeeperThan(html)) return html;
  const doc = parseDocument(html);
  const found = DomUtils.findAll((el) => MARKERS.some((m) => m.matches(el)), doc.children);
  if (!found.length) return html;
  for (const el of found) {
    if (!isAttached(el, doc) || holdsForward(el)) continue;
    remove(el, MARKERS.find((m) => m.matches(el))!.removal);
  }
  if (!DomUtils.innerText(doc.children).trim() && !DomUtils.findOne((el) => el.name === 'img', doc.children)) return html;
  return DomUtils.getOuterHTML(doc);
}
