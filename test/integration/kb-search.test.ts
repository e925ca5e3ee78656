/**
 * Knowledge base search on the test database (FerretDB: no `$text`, token arrays instead) over a
 * fixture set of articles in English and Indonesian: ranking by the words of a ticket, language
 * and draft filtering, stop words, and the terms themselves.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctTerms, type Article, type Locale } from '../../src/core/index.ts';
import { openTestCore } from '../support/core.ts';

type Fixture = { key: string; language: Locale; status: Article['status']; tags: string[]; problem: string; solution: string };
const FIXTURES = JSON.parse(readFileSync(new URL('../fixtures/kb/articles.json', import.meta.url), 'utf8')) as Fixture[];

describe('knowledge base search', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  const keyOf = new Map<string, string>();
  const search = async (text: string, language: Locale, drafts = false) =>
    (await env.core.knowledge.search(text, language, 10, drafts)).map((r) => keyOf.get(r.article.id));

  beforeAll(async () => {
    env = await openTestCore('kb_search');
    for (const { key, ...input } of FIXTURES) keyOf.set((await env.core.knowledge.create(input, 'agent:test')).id, key);
  });
  afterAll(() => env.drop());

  it('ranks the article about the ticket\'s problem first (English)', async () => {
    expect((await search('Hi, my VPN keeps disconnecting every hour since Monday. Please help!', 'en'))[0]).toBe('vpn-en');
    expect((await search('The printer in room 4 says paper jam', 'en'))[0]).toBe('printer-en');
    expect((await search('I forgot the password of my email', 'en'))[0]).toBe('password-en');
    // "email" alone is in two articles; the rarer "full" decides.
    expect(await search('my email box is full', 'en')).toEqual(['mailbox-en', 'password-en']);
  });

  it('ranks in Indonesian, with Indonesian stop words ignored', async () => {
    expect((await search('Halo, VPN saya sering terputus dari jaringan kantor', 'id'))[0]).toBe('vpn-id');
    expect((await search('Saya lupa kata sandi email saya', 'id'))[0]).toBe('password-id');
    expect(await search('kertas macet', 'id')).toEqual(['printer-id']);
  });

  it('searches only the language asked for, and only published articles unless drafts are asked for', async () => {
    const english = await search('vpn', 'en');
    expect(english).toContain('vpn-en');
    expect(english).not.toContain('vpn-id');
    expect(english).not.toContain('vpn-install-en');
    expect(await search('vpn install', 'en', true)).toContain('vpn-install-en');
    expect(await search('vpn', 'id')).toEqual(['vpn-id']);
  });

  it('finds nothing for text made only of stop words or unknown words', async () => {
    expect(await search('Hello, can you please help me with this?', 'en')).toEqual([]);
    expect(await search('Tolong bantu saya dong', 'id')).toEqual([]);
    expect(await search('zxqv', 'en')).toEqual([]);
  });

  it('makes terms: lowercase, accents folded, stop words and one-letter words out, repeats once', () => {
    expect(distinctTerms('The Café’s VPN, the VPN; a b Jaringan yang LAMBAT')).toEqual(['cafe', 'vpn', 'jaringan', 'lambat']);
  });
});
