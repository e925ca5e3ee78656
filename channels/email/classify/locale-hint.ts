/** The customer's language from Content-Language or Accept-Language, when it is one we speak. */
import { LOCALES, type Locale } from '../../../src/core/index.ts';
import { headerValue, type HeaderLines } from '../parse/mail-headers.ts';

export function pickLocale(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header.split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { lang: tag.trim().toLowerCase().split('-')[0]!, q: Number.isNaN(q) ? 0 : q, i };
    })
    .filter((l) => l.lang && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((l) => l.lang).find((lang): lang is Locale => (LOCALES as readonly string[]).includes(lang));
}

export function localeFromHeaders(lines: HeaderLines): Locale | undefined {
  return pickLocale(headerValue(lines, 'content-language')) ?? pickLocale(headerValue(lines, 'accept-language'));
}
