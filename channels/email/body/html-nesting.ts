/**
 * A linear-time guard against deeply nested HTML. htmlparser2 (under sanitize-html, html-to-text
 * and our quote stripping) keeps its open-element stack with `unshift`, so its cost grows with
 * the square of the nesting depth: 100,000 nested `<b>` (300 KB of mail) take seconds in each of
 * them. No mail a person wrote nests that deep (Chrome flattens anything past 512 levels), so
 * HTML over the limit is not rendered or converted at all.
 */

/** Far above real mail (newsletters built from nested tables stay under ~60), far below slow. */
export const MAX_HTML_NESTING = 400;

/** Elements that never hold content, so their start tag opens no level. */
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
/** Elements a sibling closes implicitly (p after p, td after td): an unclosed run of them does not nest. */
const IMPLIED_END = new Set(['p', 'li', 'dt', 'dd', 'option', 'optgroup', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'rt', 'rp']);

/** The tag name starting at `from` (a letter, then letters, digits, `-`, `:`), lowercased; '' when none. */
function tagNameAt(html: string, from: number): string {
  if (!/[a-z]/i.test(html[from] ?? '')) return '';
  let end = from;
  while (end < html.length && /[a-z0-9:-]/i.test(html[end]!)) end += 1;
  return html.slice(from, end).toLowerCase();
}

/**
 * Whether `html` nests elements deeper than `max`, following what htmlparser2 builds: a start tag
 * opens a level, an end tag closes down to the nearest open element of its name (and is ignored
 * when there is none). Every character is looked at a bounded number of times.
 */
export function nestsDeeperThan(html: string, max = MAX_HTML_NESTING): boolean {
  const stack: string[] = [];
  const open = new Map<string, number>();
  let at = html.indexOf('<');
  while (at >= 0) {
    if (html.startsWith('<!--', at)) {
      const end = html.indexOf('-->', at + 4);
      if (end < 0) return false;
      at = html.indexOf('<', end + 3);
      continue;
    }
    const closing = html[at + 1] === '/';
    const name = tagNameAt(html, at + (closing ? 2 : 1));
    const end = html.indexOf('>', at + 1);
    if (end < 0) return false;
    if (name && closing && open.get(name)) {
      for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
        open.set(top, open.get(top)! - 1);
        if (top === name) break;
      }
    } else if (name && !closing && !VOID.has(name) && !IMPLIED_END.has(name)) {
      stack.push(name);
      open.set(name, (open.get(name) ?? 0) + 1);
      if (stack.length > max) return true;
    }
    at = html.indexOf('<', end + 1);
  }
  return false;
}
