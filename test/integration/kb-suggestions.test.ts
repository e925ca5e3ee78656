/**
 * Suggestions from the knowledge base, end to end against a real gateway, FerretDB and an SMTP
 * sink: a new email ticket's acknowledgement (received at the sink) links to the matching
 * published article in the customer's language; the public page asks "did this solve it?" and
 * records the answer on that suggestion (no login); a chat ticket gets the articles as a system
 * line; agents see what was offered on the ticket and can save a resolved ticket as a solution.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, type ApiCaller } from '../support/api-client.ts';
import { chatConfig, collect, connectVisitor, issueVisitor, request, type Line } from '../support/chat.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const ADMIN = 'test-admin-token-0123456789';
const unescapeHtml = (s: string) => s.replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, '&');

describe('knowledge base suggestions', () => {
  let sink: SmtpSink;
  let gateway: Gateway;
  let base: string;
  let api: ApiCaller;
  const ids: Record<string, string> = {};
  const sockets: Socket[] = [];
  const mailTo = (address: string) => waitUntil(() => sink.messages.find((m) => m.envelope.to.includes(address)), `mail to ${address}`, 20_000, 100);

  beforeAll(async () => {
    sink = await startSmtpSink();
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('kb_suggest') },
      channels: { ...(chatConfig().channels as object), email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
      outbox: { pollIntervalMs: 100 },
      knowledge: { chatSuggestionDelayMs: 300 },
    }), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    api = bearerClient(base, ADMIN);
    const articles = {
      vpn: { problem: 'VPN disconnects every hour', solution: 'Update the VPN client to 5.2 and turn off power saving.', tags: ['vpn'], language: 'en', status: 'published' },
      vpnDraft: { problem: 'VPN disconnects after update', solution: 'Not checked yet.', tags: ['vpn'], language: 'en', status: 'draft' },
      printer: { problem: 'Printer shows a paper jam', solution: 'Open tray 2 and remove the paper.', tags: ['printer'], language: 'en', status: 'published' },
      vpnId: { problem: 'VPN sering terputus', solution: 'Perbarui klien VPN ke versi 5.2.', tags: ['vpn'], language: 'id', status: 'published' },
    };
    for (const [key, body] of Object.entries(articles)) {
      const res = await api('POST', '/kb/articles', body);
      expect(res.status, key).toBe(201);
      ids[key] = ((await res.json()) as { id: string }).id;
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await stopGateway(gateway, sink);
  });

  it('links the matching published article from the acknowledgement; the public page records "solved" for that suggestion', async () => {
    await gateway.channels.email.intake(await buildMail({
      from: 'Ann <ann@example.org>', messageId: '<kb-vpn@example.org>', subject: 'VPN keeps disconnecting', text: 'My VPN disconnects every hour since Monday.',
    }), 'test', gateway.ingest);
    const ack = await mailTo('ann@example.org');
    const text = ack.parsed.text ?? '';
    expect(text).toContain('These articles may already answer your question:');
    expect(text).toContain('VPN disconnects every hour');
    expect(text).not.toContain('after update'); // a draft is never suggested
    expect(text).not.toContain('terputus'); // nor an article in another language
    const link = new RegExp(`http://127\\.0\\.0\\.1/kb/${ids.vpn}\\?s=\\S+`).exec(text)?.[0];
    expect(link).toBeTruthy();
    const hrefs = [...(ack.parsed.html || '').matchAll(/href="([^"]+)"/g)].map((m) => unescapeHtml(m[1]!));
    expect(hrefs).toContain(link);

    // The public page (no login) shows the article and asks.
    const path = link!.replace('http://127.0.0.1', '');
    const page = await fetch(`${base}${path}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Update the VPN client to 5.2 and turn off power saving.');
    expect(html).toContain('Did this solve it?');
    const token = decodeURIComponent(new URL(link!).searchParams.get('s')!);
    expect(await (await fetch(`${base}/kb/${ids.vpn}?lang=id&s=${encodeURIComponent(token)}`)).text()).toContain('Apakah ini menyelesaikan masalah Anda?');

    const answer = await fetch(`${base}/kb/${ids.vpn}/answer`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ s: token, answer: 'solved', lang: 'en' }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('We are glad it helped.');

    // The agent sees what was offered on the ticket, and the answer.
    const ticket = await gateway.repos.tickets.byNumber(1);
    const res = await api('GET', `/tickets/${ticket!.number}/suggestions`);
    const body = await res.json() as { offered: Array<{ articleId: string; rank: number; answer: string | null; channel: string }>; matches: Array<{ id: string }> };
    expect(body.offered[0]).toMatchObject({ articleId: ids.vpn, rank: 1, answer: 'solved', channel: 'email' });
    expect(body.offered.map((o) => o.articleId)).not.toContain(ids.printer);
    expect(body.matches.map((m) => m.id)).toContain(ids.vpnDraft); // agents see drafts among the matches
  });

  it('records nothing for a forged or foreign token, and hides drafts from the public', async () => {
    const forged = await fetch(`${base}/kb/${ids.vpn}/answer`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ s: 'tk_abc~kb_0000000000000000.1.AAAAAAAAAAAAAAAAAAAAAA', answer: 'not-solved' }),
    });
    expect(forged.status).toBe(202);
    expect(await forged.text()).toContain('could not be linked');
    const offered = await gateway.knowledge.suggestionsOf((await gateway.repos.tickets.byNumber(1))!.id);
    expect(offered[0]!.suggestion.answer).toBe('solved');
    expect((await fetch(`${base}/kb/${ids.vpnDraft}`)).status).toBe(404);
    expect((await fetch(`${base}/kb/${ids.vpn}/answer`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'answer=maybe' })).status).toBe(400);
  });

  it('suggests Indonesian articles to an Indonesian customer, in Indonesian', async () => {
    await gateway.channels.email.intake(await buildMail({
      from: 'Budi <budi@example.org>', messageId: '<kb-vpn-id@example.org>', subject: 'VPN terputus', headers: { 'Content-Language': 'id' },
      text: 'Selamat pagi, VPN saya sering terputus setiap jam. Mohon bantuannya, terima kasih.',
    }), 'test', gateway.ingest);
    const ack = await mailTo('budi@example.org');
    expect(ack.parsed.text).toContain('Artikel berikut mungkin sudah menjawab pertanyaan Anda:');
    expect(ack.parsed.text).toContain(`/kb/${ids.vpnId}?s=`);
    expect(ack.parsed.text).not.toContain(`/kb/${ids.vpn}?s=`);
  });

  it('sends no article list when nothing matches', async () => {
    await gateway.channels.email.intake(await buildMail({
      from: 'cat@example.org', messageId: '<kb-none@example.org>', subject: 'Invoice question', text: 'Where is the March invoice?',
    }), 'test', gateway.ingest);
    const ack = await mailTo('cat@example.org');
    expect(ack.parsed.text).not.toContain('/kb/');
    expect(ack.parsed.text).not.toContain('These articles');
  });

  it('offers the articles in a new chat as a system line', async () => {
    const { body: visitor } = await issueVisitor(base, { locale: 'en' });
    const socket = await connectVisitor(base, visitor.visitorToken);
    sockets.push(socket);
    const lines = collect<Line>(socket, 'message');
    const sent = await request<{ ok: boolean; ticketNumber: number }>(socket, 'message:send', { clientId: 'c1', text: 'The printer says paper jam again' });
    expect(sent.ok).toBe(true);
    const ticket = await gateway.repos.tickets.byNumber(sent.ticketNumber);
    const line = await waitUntil(() => lines.find((l) => l.author === 'system'), 'the suggestions line', 15_000, 100);
    expect(line.text).toContain('these articles may answer your question');
    expect(line.text).toContain(`Printer shows a paper jam: http://127.0.0.1/kb/${ids.printer}?s=`);
    const offered = await gateway.knowledge.suggestionsOf(ticket!.id);
    expect(offered.map((o) => [o.suggestion.articleId, o.suggestion.channel])).toEqual([[ids.printer, 'chat']]);
  });

  it('saves a resolved ticket as a solution (a draft: the customer\'s first message, the last agent reply), refuses an open one', async () => {
    const open = await api('POST', '/tickets/1/save-as-solution', {});
    expect(open.status).toBe(400);
    expect(await api('POST', '/tickets/1/replies', { text: 'Please update the VPN client to 5.2.' })).toHaveProperty('status', 201);
    expect(await api('PATCH', '/tickets/1', { status: 'resolved' })).toHaveProperty('status', 200);
    const saved = await api('POST', '/tickets/1/save-as-solution', { tags: ['vpn'] });
    expect(saved.status).toBe(201);
    expect(await saved.json()).toMatchObject({
      problem: 'My VPN disconnects every hour since Monday.', solution: 'Please update the VPN client to 5.2.', status: 'draft', language: 'en', sourceTicketNumber: 1, publicUrl: null,
    });
    const invalid = await api('POST', '/kb/articles', { problem: 'x', solution: 'y', language: 'fr' });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error).toBe('invalid_request');
  });
});
