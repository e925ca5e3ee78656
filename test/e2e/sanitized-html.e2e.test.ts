/**
 * The HTML an agent sees, in a real browser: the scripted fixture is ingested by a real gateway and
 * the sanitized HTML its agent API returns is what headless Chromium renders in a page that records every hook the mail
 * tries to call. Links and elements are clicked, hovered and focused, every event type a handler
 * could hang on is dispatched, and then nothing may have run: no hook, no dialog, no page error,
 * no javascript: navigation. The same page with the unsanitized HTML proves the harness notices.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chromiumAvailable, launchChromium } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless } from '../support/skip.ts';
import { stopGateway } from '../support/teardown.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/mail/html-scripted.eml', import.meta.url));
/** Every event an inline handler in the fixture (or a variant of it) could listen to. */
const EVENTS = ['click', 'dblclick', 'mouseover', 'mouseenter', 'mousedown', 'focus', 'blur', 'load', 'error', 'toggle', 'input', 'change', 'submit', 'animationstart'];

/** The agent console stand-in: hooks first, then the mail. No CSP, so the sanitizer alone is tested. */
const page = (mailHtml: string) => `<!doctype html><html><head><meta charset="utf-8"><title>mail</title>
<script>
  window.__fired = [];
  window.__hit = function (what) {
    window.__fired.push(String(what));
    console.log('HOOK FIRED ' + what);
    window.__report(String(what)); // survives the page navigating away, unlike __fired
  };
</script></head><body><main id="mail">${mailHtml}</main></body></html>`;

interface Observed { fired: string[]; dialogs: string[]; pageErrors: string[]; hookLogs: string[]; scriptUrls: string[]; activeMarkup: string[] }

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium (/usr/bin/chromium)', 'sanitized-html.e2e'))('sanitized mail HTML in Chromium', () => {
  let gateway: Gateway;
  /** What the agent API returns for the mail, and the raw HTML as it arrived (kept in the store). */
  let apiHtml: string;
  let rawHtml: string;
  /** GET /api/v1/tickets/:n of a mail with a remote tracking pixel and an embedded (cid:) image. */
  let imagesTicket: (query?: string) => Promise<string>;
  let browser: Browser;
  let server: Server;
  const pages = new Map<string, string>();
  let base: string;

  beforeAll(async () => {
    const config = testConfig({ database: { dbName: testDbName('sanitized_html') } });
    gateway = await createGateway(config, mongoUri(), createLogger('silent'));
    await gateway.start();
    const result = await gateway.channels.email.intake(readFileSync(FIXTURE), 'test', gateway.ingest);
    const res = await fetch(`http://127.0.0.1:${gateway.httpPort()}/api/v1/tickets/${result.ticketNumber}`, {
      headers: { authorization: `Bearer ${config.adminToken}` },
    });
    const inbound = (await res.json()).messages.find((m: { direction: string }) => m.direction === 'inbound');
    apiHtml = inbound.html;
    rawHtml = (await gateway.repos.messages.byExternalId('email', inbound.externalId))!.html!;
    const images = await gateway.channels.email.intake(await buildMail({
      messageId: '<images@example.org>', subject: 'Chart attached',
      html: '<p>See the chart:<img src="cid:chart@example.org" alt="chart"></p><p>Logo<img src="https://tracker.example/open.gif?u=42" alt="ACME"></p>',
      attachments: [{ filename: 'chart.png', cid: 'chart@example.org', contentType: 'image/png', content: Buffer.from('89504e470d0a1a0a', 'hex') }],
    }), 'test', gateway.ingest);
    imagesTicket = async (query = '') => {
      const r = await fetch(`http://127.0.0.1:${gateway.httpPort()}/api/v1/tickets/${images.ticketNumber}${query}`, {
        headers: { authorization: `Bearer ${config.adminToken}` },
      });
      return (await r.json()).messages.find((m: { direction: string }) => m.direction === 'inbound').html;
    };
    server = createServer((req, res) => {
      const body = pages.get(req.url ?? '');
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await stopGateway(gateway);
  });

  /** Loads `html` as the mail in a fresh context, pokes every element, and reports what ran. */
  async function render(path: string, html: string): Promise<Observed> {
    pages.set(path, page(html));
    const context = await browser.newContext();
    const seen: Observed = { fired: [], dialogs: [], pageErrors: [], hookLogs: [], scriptUrls: [], activeMarkup: [] };
    // Nothing leaves the machine: only our server answers, everything else is refused and noted.
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    context.on('page', (p: Page) => p.on('dialog', (d) => { seen.dialogs.push(d.message()); void d.dismiss(); }));
    context.on('request', (r) => { if (/^(javascript|vbscript):/i.test(r.url())) seen.scriptUrls.push(r.url()); });
    await context.exposeFunction('__report', (what: string) => seen.fired.push(what));
    const tab = await context.newPage();
    tab.on('console', (m) => { if (m.text().includes('HOOK FIRED')) seen.hookLogs.push(m.text()); });
    tab.on('pageerror', (err) => seen.pageErrors.push(err.message));
    tab.on('framenavigated', (f) => { if (/^(javascript|vbscript):/i.test(f.url())) seen.scriptUrls.push(f.url()); });
    await tab.goto(`${base}${path}`, { waitUntil: 'load' });
    // What the browser built from the mail: no element that runs code, no handler, no script URL.
    seen.activeMarkup = await tab.evaluate(() => [...document.querySelectorAll('#mail *')].flatMap((el) => [
      ...(/^(script|iframe|object|embed|form|svg|math|base|meta|link|style)$/i.test(el.tagName) ? [el.tagName.toLowerCase()] : []),
      ...[...el.attributes].filter((a) => /^on/i.test(a.name) || /^\s*(javascript|vbscript|data):/i.test(a.value)).map((a) => `${el.tagName.toLowerCase()}[${a.name}]`),
    ]));

    const elements = await tab.locator('#mail *').all();
    for (const el of elements) {
      if (!tab.url().startsWith(base)) break; // a link of the raw mail took the tab away
      await el.hover({ timeout: 200, force: true }).catch(() => {});
      await el.click({ timeout: 200, force: true, noWaitAfter: true }).catch(() => {});
    }
    for (let i = 0; i < 20; i += 1) await tab.keyboard.press('Tab');
    await tab.evaluate((events) => {
      for (const el of document.querySelectorAll('#mail *')) for (const type of events) el.dispatchEvent(new Event(type, { bubbles: true }));
    }, EVENTS);
    await tab.waitForTimeout(300); // timers, meta refresh, late image errors
    const stillOurs = tab.url().startsWith(base);
    if (stillOurs) seen.fired.push(...(await tab.evaluate(() => (window as unknown as { __fired: string[] }).__fired)));
    await context.close();
    return seen;
  }

  /** Every URL the page asked for while showing `html` (nothing leaves the machine: all but our server is refused). */
  async function requestsFor(path: string, html: string): Promise<string[]> {
    pages.set(path, page(html));
    const context = await browser.newContext();
    const urls: string[] = [];
    context.on('request', (r) => urls.push(r.url()));
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    const tab = await context.newPage();
    await tab.goto(`${base}${path}`, { waitUntil: 'load' });
    await tab.waitForTimeout(300);
    await context.close();
    return urls;
  }

  it('loads no remote image by default, while the embedded image is requested from our attachment URL', async () => {
    const html = await imagesTicket();
    expect(html).toContain('[image: ACME]');
    const urls = await requestsFor('/images', html);
    expect(urls.filter((u) => u.includes('tracker.example'))).toEqual([]);
    expect(urls.filter((u) => /\/api\/v1\/tickets\/\d+\/attachments\//.test(u))).toHaveLength(1);
  });

  it('loads the remote image when the agent opts in (remoteImages=1)', async () => {
    const urls = await requestsFor('/images-opt-in', await imagesTicket('?remoteImages=1'));
    expect(urls).toContain('https://tracker.example/open.gif?u=42');
  });

  it('runs nothing from the scripted mail once displayed', async () => {
    expect(apiHtml).toContain('order page');
    const seen = await render('/sanitized', apiHtml);
    expect(seen).toEqual({ fired: [], dialogs: [], pageErrors: [], hookLogs: [], scriptUrls: [], activeMarkup: [] });
  });

  it('would notice: the raw HTML of the same mail does run in this harness', async () => {
    const seen = await render('/raw', rawHtml);
    expect(seen.activeMarkup).toEqual(expect.arrayContaining(['script', 'iframe', 'img[onerror]', 'a[href]']));
    // Clicking its plain link navigates the tab away, so only what runs on load is certain.
    expect(seen.fired).toEqual(expect.arrayContaining(['script-head', 'body-onload']));
    expect(seen.hookLogs).toEqual(expect.arrayContaining(['HOOK FIRED script-head']));
  });
});
