/**
 * Everything a customer reads on the form and status pages, per language, from
 * templates/webform-pages/<locale>.strings.json; `{{name}}` placeholders are filled by `fill`.
 */
import { readFileSync } from 'node:fs';
import type { Locale } from '../../src/core/index.ts';

export type Strings = Record<string, unknown> & { errors: Record<string, string> };

export const PAGES_DIR = new URL('../../templates/webform-pages/', import.meta.url);

const cache = new Map<Locale, Strings>();

export function stringsFor(locale: Locale): Strings {
  let found = cache.get(locale);
  if (!found) {
    found = JSON.parse(readFileSync(new URL(`${locale}.strings.json`, PAGES_DIR), 'utf8')) as Strings;
    cache.set(locale, found);
  }
  return found;
}

/** Fills `{{name}}` placeholders (plain text: the page template escapes the result). */
export function fill(text: string, vars: Record<string, string | number> = {}): string {
  return text.replace(/\{\{(\w{1,30})\}\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
