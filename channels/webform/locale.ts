/**
 * The language of a request: an explicit `lang` (query or form field) wins, else the first of our
 * languages in Accept-Language by its q-value, else the fallback (English unless the ticket says otherwise). The header is capped before parsing.
 */
import type { Locale } from '../../src/core/index.ts';

const OURS: readonly Locale[] = ['en', 'id'];

export function asLocale(value: unknown): Locale | undefined {
  return typeof value === 'string' && (OURS as readonly string[]).includes(value) ? (value as Locale) : undefined;
}

export function pickLocale(lang: unknown, acceptLanguage: string | undefined, fallback: Locale = 'en'): Locale {
  const explicit = asLocale(lang);
  if (explicit) return explicit;
  const ranked = (acceptLanguage ?? '').slice(0, 500).split(',').slice(0, 20).map((part, i) => {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { lang: tag.split('-')[0]!, q: q ? Number(q.slice(2)) || 0 : 1, i };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  // `in` is the old code for Indonesian, still sent by some Android browsers.
  for (const r of ranked) {
    const found = asLocale(r.lang === 'in' ? 'id' : r.lang);
    if (found) return found;
  }
  return fallback;
}
