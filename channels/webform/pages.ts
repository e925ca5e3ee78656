/**
 * Server-rendered pages (mustache, every value escaped) from templates/webform-pages: one layout,
 * a page body as its `content` partial, the words from the request language's strings file.
 */
import { readFileSync } from 'node:fs';
import Mustache from 'mustache';
import type { Locale } from '../../src/core/index.ts';
import { PAGES_DIR, stringsFor } from './strings.ts';

export type PageName = 'form' | 'confirm' | 'status' | 'notice';

const cache = new Map<string, string>();
function template(name: string): string {
  let found = cache.get(name);
  if (found === undefined) {
    found = readFileSync(new URL(`${name}.html.mustache`, PAGES_DIR), 'utf8');
    cache.set(name, found);
  }
  return found;
}

export interface PageFrame {
  base: string;
  lang: Locale;
  title: string;
  /** The same page in the other language, when it can be linked to. */
  switchHref?: string;
  embed?: boolean;
  script?: boolean;
}

export function renderPage(page: PageName, frame: PageFrame, view: Record<string, unknown>): string {
  const t = stringsFor(frame.lang);
  const other = t.otherLang as { code: Locale; name: string };
  return Mustache.render(template('layout'), {
    ...frame, t, ...view,
    ...(frame.switchHref ? { langSwitch: { href: frame.switchHref, code: other.code, name: other.name } } : {}),
  }, { content: template(page) });
}

/** The security headers of every page: no inline script, forms post only to us; framing stays allowed (embedding). */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;
