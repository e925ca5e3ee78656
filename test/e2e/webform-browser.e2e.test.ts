/**
 * The web form in Chromium, as a customer uses it, in English and in Indonesian: the script checks
 * fields while typing, the form is sent with a screenshot attached, the confirmation shows the
 * ticket number, the status link from the acknowledgement mail (caught by the SMTP sink) opens the
 * ticket, the customer answers there, and the agent sees the answer through the API. Also: the
 * embed script puts the form in an iframe on another site and sizes it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chromiumAvailable, launchChromium } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const CASES = [
  { lang: 'en', email: 'ayu.en@example.org', invalidEmail: 'Enter an email address such as name@example.com.', number: 'Your ticket number is', reply: 'Here is more detail from me.', sent: 'Your answer was added to the ticket.' },
  { lang: 'id', email: 'ayu.id@example.org', invalidEmail: 'Masukkan alamat email seperti nama@contoh.com.', number: 'Nomor tiket Anda adalah', reply: 'Ini keterangan tambahan dari saya.', sent: 'Jawaban Anda sudah ditambahkan ke tiket.' },
] as const;

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium (/usr/bin/chromium)', 'webform-browser.e2e'))('web form in Chromium', () => {
  let gateway: Gateway;
  let sink: SmtpSink;
  let browser: Browser;
  let base: string;
  let adminToken: string;
  let site: Server;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = testConfig({
      port, publicUrl: base, database: { dbName: testDbName('webform_browser') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } }, webform: { minFillMs: 1000, categories: ['billing', 'technical'] } },
      outbox: { pollIntervalMs: 200 },
    });
    adminToken = config.adminToken;
    gateway = await createGateway(config, mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    browser = await launchChromium();
    // Another site that embeds the form.
    site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><html><body><h1>Shop</h1><script src="${base}/support/embed.js" data-lang="id"></script></body></html>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await stopGateway(gateway, sink);
  });

  for (const c of CASES) {
    it(`files, confirms, and follows a ticket in ${c.lang === 'en' ? 'English' : 'Indonesian'}`, async () => {
      const context = await browser.newContext({ locale: c.lang === 'en' ? 'en-US' : 'id-ID' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${base}/support`);
      expect(await page.getAttribute('html', 'lang')).toBe(c.lang);

      // The script checks as the customer types, in the page's language, where aria-describedby points.
      await page.getByLabel(c.lang === 'en' ? 'Email address' : 'Alamat email').fill('ayu@');
      await page.locator('#f-email').blur();
      await expect.poll(() => page.textContent('#f-email-error')).toBe(c.invalidEmail);
      expect(await page.getAttribute('#f-email', 'aria-invalid')).toBe('true');

      await page.fill('#f-name', 'Ayu Wulandari');
      await page.fill('#f-email', c.email);
      await page.locator('#f-email').blur();
      await expect.poll(() => page.textContent('#f-email-error')).toBe('');
      await page.selectOption('#f-category', 'technical');
      await page.fill('#f-subject', `Screen flickers (${c.lang})`);
      await page.fill('#f-message', 'The screen flickers after the update.');
      await page.setInputFiles('#f-attachments', { name: 'screenshot.png', mimeType: 'image/png', buffer: PNG });
      await page.waitForTimeout(1100); // past the minimum fill time, as a person would be
      await page.click('button[type="submit"]');
      await page.waitForSelector('#ticket-number');
      expect(await page.textContent('main')).toContain(c.number);
      const number = Number((await page.textContent('#ticket-number'))!.replace('#', ''));
      expect(number).toBeGreaterThan(0);

      const mail = await waitUntil(() => sink.messages.find((m) => m.envelope.to.includes(c.email)), `the acknowledgement to ${c.email}`);
      const link = /https?:\/\/\S+\/support\/t\/\S+/.exec(mail.parsed.text ?? '')![0];
      await page.goto(link);
      expect(await page.getAttribute('html', 'lang')).toBe(c.lang);
      expect(await page.textContent('main')).toContain('The screen flickers after the update.');
      expect(await page.textContent('main')).toContain('screenshot.png');
      await page.fill('#f-reply', c.reply);
      await page.click('button[type="submit"]');
      await page.waitForSelector('[role="status"]');
      expect(await page.textContent('[role="status"]')).toBe(c.sent);
      expect(await page.textContent('.thread')).toContain(c.reply);
      expect(errors).toEqual([]);

      const ticket = await (await fetch(`${base}/api/v1/tickets/${number}`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
      expect(ticket.messages[0].attachments).toEqual([expect.objectContaining({ filename: 'screenshot.png', contentType: 'image/png', size: PNG.length })]);
      expect(ticket.messages.find((m: { text: string }) => m.text === c.reply)).toMatchObject({ direction: 'inbound', author: 'customer', from: { address: c.email } });
      await context.close();
    });
  }

  it('embeds the form in an iframe on another site and sizes it to the form', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    const frame = page.locator('iframe');
    expect(await frame.getAttribute('title')).toBe('Formulir dukungan');
    await expect.poll(async () => frame.evaluate((el) => (el as HTMLIFrameElement).style.height), { timeout: 15_000 }).toMatch(/^\d+px$/);
    const inner = page.frameLocator('iframe');
    expect(await inner.locator('html').getAttribute('lang')).toBe('id');
    const height = Number((await frame.evaluate((el) => (el as HTMLIFrameElement).style.height)).replace('px', ''));
    const content = await inner.locator('html').evaluate((el) => el.scrollHeight);
    expect(Math.abs(height - content)).toBeLessThan(5);
    await context.close();
  });
});
