/**
 * Reads RFC 8601 `Authentication-Results` headers into a channel-neutral SenderAuthentication.
 * Anyone can write such a header into a mail, so only headers whose authserv-id is in the
 * configured trusted list count (our own MTA's name), and for each method the topmost trusted
 * header that reports it decides: an MTA prepends its header, so a forged copy further down never
 * overrides the real one. The MTA should also remove incoming headers carrying its own id.
 * Parsing is one linear pass over a capped value: no regular expression runs on the header.
 */
import type { SenderAuthentication } from '../../../src/core/index.ts';
import { headerValues, type HeaderLines } from './mail-headers.ts';

/** Real headers are a few hundred bytes; a dozen DKIM signatures stay far below this. */
export const MAX_AUTH_RESULTS_CHARS = 8192;
/** Headers considered per mail: a flood of them adds nothing but work. */
const MAX_HEADERS = 50;

export interface ResultInfo {
  method: string;
  result: string;
  /** `ptype.property` -> value, e.g. `header.d` -> `example.com`. */
  props: Map<string, string>;
}

export interface AuthResultsHeader {
  authservId: string;
  results: ResultInfo[];
}

/**
 * Splits a value into `;`-separated segments of space-separated words: comments dropped (nested
 * parentheses counted), quoted strings kept whole without their quotes, no space around `=`.
 */
function segments(value: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word = '';
  let depth = 0;
  let quoted = false;
  const endWord = () => {
    if (word) words.push(word);
    word = '';
  };
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (quoted) word += value[i + 1] ?? '';
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
      else word += c;
    } else if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
    } else if (c === '(') {
      depth = 1;
      endWord();
    } else if (c === '"') {
      quoted = true;
    } else if (c === ';') {
      endWord();
      out.push(words);
      words = [];
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      endWord();
    } else if (c === '=') {
      // `dkim = pass`: join with the word before and after.
      if (!word && words.length) word = words.pop()!;
      word += c;
      while (value[i + 1] === ' ' || value[i + 1] === '\t') i++;
    } else {
      word += c;
    }
  }
  endWord();
  out.push(words);
  return out;
}

/** One header value, or null when it has no authserv-id. Never throws. */
export function parseAuthenticationResults(raw: string): AuthResultsHeader | null {
  const [first = [], ...rest] = segments(raw.slice(0, MAX_AUTH_RESULTS_CHARS));
  const authservId = first[0]?.toLowerCase();
  if (!authservId || authservId.includes('=')) return null;
  const results: ResultInfo[] = [];
  for (const words of rest) {
    const [head, ...pairs] = words;
    const eq = head?.indexOf('=') ?? -1;
    if (!head || eq <= 0) continue; // `none`, or garbage
    const method = head.slice(0, eq).split('/')[0]!.toLowerCase();
    const props = new Map<string, string>();
    for (const pair of pairs) {
      const at = pair.indexOf('=');
      if (at > 0) props.set(pair.slice(0, at).toLowerCase(), pair.slice(at + 1));
    }
    results.push({ method, result: head.slice(eq + 1).toLowerCase(), props });
  }
  return { authservId, results };
}

/** What the trusted headers of a mail say about its sender. */
export function senderAuthentication(lines: HeaderLines, trustedAuthservIds: readonly string[]): SenderAuthentication {
  const trustedIds = new Set(trustedAuthservIds.map((id) => id.toLowerCase()));
  const trusted = headerValues(lines, 'authentication-results').slice(0, MAX_HEADERS)
    .map(parseAuthenticationResults)
    .filter((h): h is AuthResultsHeader => Boolean(h && trustedIds.has(h.authservId)));
  // For each method, the topmost trusted header that reports it.
  const topmost = (method: string) => trusted.find((h) => h.results.some((r) => r.method === method))
    ?.results.filter((r) => r.method === method) ?? [];
  const dmarc = topmost('dmarc')[0]?.result;
  const spf = topmost('spf')[0]?.result;
  const dkimPassDomains = topmost('dkim')
    .filter((r) => r.result === 'pass')
    .map((r) => (r.props.get('header.d') ?? r.props.get('header.i')?.split('@').pop() ?? '').toLowerCase())
    .filter(Boolean);
  return {
    trusted: trusted.length > 0,
    ...(dmarc ? { dmarc } : {}),
    ...(spf ? { spf } : {}),
    dkimPassDomains: [...new Set(dkimPassDomains)],
  };
}
