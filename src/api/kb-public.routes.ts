/**
 * The public page of a published article (`/kb/<id>`), linked from acknowledgements: the problem
 * and its solution, in English or Indonesian page text (`?lang=`, defaulting to the article's), and
 * "did this solve it?". The answer needs no login: the link's signed suggestion token ties it to
 * the ticket it was suggested for (an answer without one is thanked but not recorded). Drafts are
 * not public (404).
 */
import { readFileSync } from 'node:fs';
import express, { Router } from 'express';
import Mustache from 'mustache';
import { LOCALES, type KnowledgeBase, type Locale } from '../core/index.ts';

const PAGES = new URL('../../templates/kb-pages/', import.meta.url);
const template = readFileSync(new URL('article.html.mustache', PAGES), 'utf8');
const strings = Object.fromEntries(LOCALES.map((l) => [l, JSON.parse(readFileSync(new URL(`${l}.strings.json`, PAGES), 'utf8')) as Record<string, string>]));
const ID = /^kb_[0-9a-f]{16}$/;

const localeOf = (value: unknown, fallback: Locale): Locale => (LOCALES as readonly unknown[]).includes(value) ? value as Locale : fallback;
const str = (value: unknown, max: number) => typeof value === 'string' && value.length <= max ? value : undefined;

export function kbPublicRoutes(kb: KnowledgeBase): Router {
  const router = Router();
  const page = async (id: string, lang: Locale | undefined, token: string | undefined, notice?: (s: Record<string, string>) => string) => {
    const article = ID.test(id) ? await kb.get(id) : null;
    if (!article || article.status !== 'published') return null;
    const l = lang ?? article.language;
    const other = l === 'en' ? 'id' : 'en';
    const query = (language: Locale) => `?lang=${language}${token ? `&s=${encodeURIComponent(token)}` : ''}`;
    return Mustache.render(template, {
      lang: l, otherLang: other, s: strings[l], article, tags: article.tags.join(' · '), token: token ?? '',
      answerUrl: `/kb/${article.id}/answer`, otherLanguageUrl: `/kb/${article.id}${query(other)}`,
      notice: notice?.(strings[l]!),
    });
  };
  const notFound = (res: express.Response) => res.status(404).type('text/plain').send('Not found / Tidak ditemukan');

  router.get('/kb/:id', async (req, res) => {
    const lang = req.query.lang === undefined ? undefined : localeOf(req.query.lang, 'en');
    const html = await page(req.params.id, lang, str(req.query.s, 200));
    return html ? res.type('html').send(html) : notFound(res);
  });

  router.post('/kb/:id/answer', express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const answer = body.answer === 'solved' || body.answer === 'not-solved' ? body.answer : null;
    if (!answer) return res.status(400).type('text/plain').send('invalid answer');
    const article = ID.test(req.params.id) ? await kb.get(req.params.id) : null;
    if (!article || article.status !== 'published') return notFound(res);
    const recorded = await kb.answer(article.id, str(body.s, 200), answer);
    const html = await page(article.id, localeOf(body.lang, article.language), undefined,
      (s) => !recorded ? s.notRecorded! : answer === 'solved' ? s.thanksSolved! : s.thanksNotSolved!);
    return res.status(recorded ? 200 : 202).type('html').send(html!);
  });
  return router;
}
