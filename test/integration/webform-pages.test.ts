/**
 * The form page without JavaScript, its CSRF protection, and the customer's status page behind the
 * signed link from the acknowledgement mail: the public thread (never internal notes), replies that
 * reach the agent, and links that are tampered with, foreign or expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLinkToken } from '../../src/core/index.ts';
import { tokenKeys } from '../../src/gateway.ts';
import { waitUntil } from '../support/skip.ts';
import { startWebformGateway, statusLinkIn, type WebformGateway } from '../support/webform-gateway.ts';

/** What a browser keeps between page and post: its cookies and the form's hidden fields. */
interface Session { cookie: string; hidden: Record<string, string>; html: string; status: number }

function cookiesOf(res: Response, prior = ''): string {
  const jar = new Map(prior.split('; ').filter(Boolean).map((c) => [c.split('=')[0]!, c] as const));
  for (const c of res.headers.getSetCookie()) { const pair = c.split(';')[0]!; jar.set(pair.split('=')[0]!, pair); }
  return [...jar.values()].join('; ');
}

function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  return out;
}

describe('web form pages', () => {
  let w: WebformGateway;
  const ticketCount = async () => (await w.gateway.repos.tickets.list({ limit: 100 })).length;

  async function open(path: string, headers: Record<string, string> = {}, cookie = ''): Promise<Session> {
    const res = await fetch(`${w.base}${path}`, { headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    const html = await res.text();
    return { cookie: cookiesOf(res, cookie), hidden: hiddenFields(html), html, status: res.status };
  }

  async function post(path: string, session: Session, fields: Record<string, string>, multipart = true): Promise<{ res: Response; html: string }> {
    const all = { ...session.hidden, ...fields };
    const body = multipart ? new FormData() : new URLSearchParams();
    for (const [k, v] of Object.entries(all)) body.append(k, v);
    const res = await fetch(`${w.base}${path}`, { method: 'POST', body, redirect: 'manual', headers: { cookie: session.cookie } });
    return { res, html: await res.text() };
  }

  const customer = { name: 'Budi Santoso', email: 'budi@example.org', subject: 'Tagihan ganda', message: 'Saya ditagih dua kali.' };

  beforeAll(async () => {
    w = await startWebformGateway('webform-pages', {
      categories: ['billing', 'technical'],
      customFields: [{ name: 'order', label: { en: 'Order number', id: 'Nomor pesanan' }, required: false, maxLength: 20 }],
    });
  });
  afterAll(async () => { await w?.stop(); });

  it('serves an accessible form in the language asked for', async () => {
    const en = await open('/support', { 'accept-language': 'en-US,en;q=0.8' });
    expect(en.status).toBe(200);
    expect(en.html).toContain('<html lang="en">');
    for (const field of ['name', 'email', 'subject', 'message', 'category']) {
      expect(en.html).toContain(`<label for="f-${field}">`);
      expect(en.html).toMatch(new RegExp(`id="f-${field}"[^>]*aria-describedby="f-${field}-error`));
    }
    expect(en.html).toContain('<option value="billing">billing</option>');
    expect(en.html).toMatch(/<label for="f-custom_order">Order number <span class="hint">\(optional\)/);
    expect(en.html).toMatch(/<input id="f-attachments" name="attachments" type="file" multiple/);
    expect(en.html).toMatch(/class="trap" aria-hidden="true"[\s\S]*name="website" type="text" tabindex="-1"/);
    const id = await open('/support', { 'accept-language': 'id-ID,id;q=0.9,en;q=0.5' });
    expect(id.html).toContain('<html lang="id">');
    expect(id.html).toContain('Hubungi dukungan');
    expect(id.html).toMatch(/<label for="f-custom_order">Nomor pesanan <span class="hint">\(opsional\)/);
    expect((await open('/support?lang=en', { 'accept-language': 'id' })).html).toContain('<html lang="en">');
  });

  it('without JavaScript: the form posts, errors come back beside their fields with the values kept', async () => {
    const page = await open('/support?lang=id');
    const { res, html } = await post('/support?lang=id', page, { formToken: w.formToken(), name: 'Budi', email: 'budi@', subject: '', message: 'Halo' });
    expect(res.status).toBe(400);
    expect(html).toContain('<html lang="id">');
    expect(html).toMatch(/id="f-email"[^>]*value="budi@"[^>]*aria-invalid="true"/);
    expect(html).toContain('<p class="error" id="f-email-error" aria-live="polite">Masukkan alamat email seperti nama@contoh.com.</p>');
    expect(html).toContain('<p class="error" id="f-subject-error" aria-live="polite">Kolom ini wajib diisi.</p>');
    expect(html).toMatch(/id="f-name"[^>]*value="Budi"/);
    expect(html).toContain('>Halo</textarea>');
  });

  it('without JavaScript: a valid post gets the confirmation page with the ticket number', async () => {
    const page = await open('/support?lang=id');
    const { res, html } = await post('/support?lang=id', page, { formToken: w.formToken(), ...customer, category: 'billing' });
    expect(res.status).toBe(201);
    const number = Number(/id="ticket-number">#(\d+)</.exec(html)?.[1]);
    expect(number).toBeGreaterThan(0);
    expect(html).toContain('Nomor tiket Anda adalah');
    expect((await w.gateway.repos.tickets.byNumber(number))?.locale).toBe('id');
    // The same page posted twice (a double click, a reload) is the same ticket.
    const again = await post('/support?lang=id', page, { formToken: w.formToken(), ...customer, category: 'billing' });
    expect(again.html).toContain(`id="ticket-number">#${number}<`);
  });

  it('refuses a post without the CSRF cookie or with a wrong token (403), storing nothing', async () => {
    const before = await ticketCount();
    const page = await open('/support');
    const noCookie = await post('/support', { ...page, cookie: '' }, { formToken: w.formToken(), ...customer, submissionId: 'csrf-test-00001' });
    expect(noCookie.res.status).toBe(403);
    expect(noCookie.html).toContain('This form could not be checked (security token)');
    expect(noCookie.html).toMatch(/id="f-subject"[^>]*value="Tagihan ganda"/);
    const wrong = await post('/support', page, { formToken: w.formToken(), ...customer, _csrf: 'forged', submissionId: 'csrf-test-00002' });
    expect(wrong.res.status).toBe(403);
    expect(await ticketCount()).toBe(before);
  });

  describe('status page', () => {
    let link: string;
    let number: number;
    let path: string;

    beforeAll(async () => {
      const res = await w.submitJson({ ...customer, email: 'sari@example.org', subject: 'Login fails', message: 'I cannot log in.', category: 'technical', formToken: w.formToken(), lang: 'en' });
      number = (await res.json()).ticketNumber;
      const mail = await waitUntil(() => w.sink.messages.find((m) => m.envelope.to.includes('sari@example.org')), 'the acknowledgement to sari', 20_000);
      link = statusLinkIn(mail.parsed.text);
      path = new URL(link).pathname;
      await w.api(`/api/v1/tickets/${number}/replies`, { method: 'POST', body: JSON.stringify({ text: 'Please try resetting your password.' }) });
      await w.api(`/api/v1/tickets/${number}/notes`, { method: 'POST', body: JSON.stringify({ text: 'INTERNAL: account flagged by fraud team' }) });
    });

    it('shows the public thread, never internal notes', async () => {
      const page = await open(path);
      expect(page.status).toBe(200);
      expect(page.html).toContain(`Ticket #${number}`);
      expect(page.html).toContain('I cannot log in.');
      expect(page.html).toContain('Please try resetting your password.');
      expect(page.html).not.toContain('INTERNAL');
      expect(page.html).not.toContain('fraud');
      expect((await open(`${path}?lang=id`)).html).toContain(`Tiket #${number}`);
    });

    it('takes a reply that appends to the ticket as the customer, and the agent sees it', async () => {
      const page = await open(path);
      const { res } = await post(path, page, { message: 'Resetting worked, thank you!' }, false);
      expect(res.status).toBe(303);
      const after = await open(res.headers.get('location')!, {}, page.cookie);
      expect(after.html).toContain('Resetting worked, thank you!');
      const ticket = await (await w.api(`/api/v1/tickets/${number}`)).json();
      const reply = ticket.messages.find((m: { text: string }) => m.text === 'Resetting worked, thank you!');
      expect(reply).toMatchObject({ direction: 'inbound', channel: 'webform', flagged: false, author: 'customer', from: { address: 'sari@example.org' } });
      // The same reply posted twice (reload) is one message.
      await post(path, page, { message: 'Resetting worked, thank you!' }, false);
      const again = await (await w.api(`/api/v1/tickets/${number}`)).json();
      expect(again.messages.filter((m: { text: string }) => m.text === 'Resetting worked, thank you!')).toHaveLength(1);
    });

    it('refuses a reply without the CSRF token', async () => {
      const page = await open(path);
      const { res } = await post(path, { ...page, cookie: '' }, { message: 'forged reply' }, false);
      expect(res.status).toBe(403);
      const ticket = await (await w.api(`/api/v1/tickets/${number}`)).json();
      expect(ticket.messages.some((m: { text: string }) => m.text === 'forged reply')).toBe(false);
    });

    it('answers a tampered link with a clear page, not an error dump', async () => {
      const tampered = `${path.slice(0, -3)}${path.endsWith('aaa') ? 'bbb' : 'aaa'}`;
      for (const bad of [tampered, '/support/t/nonsense', `/support/t/${'x'.repeat(5000)}`]) {
        const res = await fetch(`${w.base}${bad}`);
        expect(res.status, bad).toBe(404);
        expect(res.headers.get('content-type')).toContain('text/html');
        const html = await res.text();
        expect(html).toContain('This link does not work');
        expect(html).not.toMatch(/at .*\.ts:\d+|Error:/);
      }
      const id = await (await fetch(`${w.base}${tampered}`, { headers: { 'accept-language': 'id' } })).text();
      expect(id).toContain('Tautan ini tidak berlaku');
    });

    it('never opens ticket B with the link for ticket A', async () => {
      const other = await w.submitJson({ ...customer, email: 'other@example.org', subject: 'Other', message: 'B', category: 'billing', formToken: w.formToken() });
      const b = await w.gateway.repos.tickets.byNumber((await other.json()).ticketNumber);
      const [, rest] = /\/support\/t\/[^.]+(\..*)$/.exec(path)!;
      const swapped = await fetch(`${w.base}/support/t/${b!.id}${rest}`);
      expect(swapped.status).toBe(404);
      expect(await swapped.text()).not.toContain('Other');
    });

    it('answers an expired link with 410 and says so', async () => {
      const ticket = await w.gateway.repos.tickets.byNumber(number);
      const expired = signLinkToken(tokenKeys(w.gateway.config), 'status', ticket!.id, new Date(Date.now() - 1000));
      const res = await fetch(`${w.base}/support/t/${expired}`);
      expect(res.status).toBe(410);
      expect(await res.text()).toContain('This link has expired');
    });
  });
});
