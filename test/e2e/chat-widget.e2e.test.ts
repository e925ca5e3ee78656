/**
 * The chat widget in Debian Chromium, on the gateway's demo page, against a real gateway, FerretDB
 * and an SMTP sink; the agent is a socket.io client on /agents. A visitor writes (keyboard only),
 * an agent types and answers under their name, the page reloads and the conversation is back. With no agent online the widget
 * says so and takes an email address; the agent's answer goes out by mail, the customer's mail
 * answer threads into the same ticket (through the email channel's intake) and shows in the widget.
 * The transcript button mails the conversation. Also: Indonesian, roles and labels, Esc closes and
 * gives focus back.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chromiumAvailable, launchChromium } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const SITE = 'demo';

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium (/usr/bin/chromium)', 'chat-widget.e2e'))('chat widget in Chromium', () => {
  let gateway: Gateway;
  let sink: SmtpSink;
  let browser: Browser;
  let base: string;
  const agents: Socket[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    // The demo page is served by the gateway itself: its origin must be the configured public URL.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = testConfig({
      database: { dbName: testDbName('chat_widget') },
      channels: {
        email: { smtp: { host: sink.host, port: sink.port, tls: false } },
        chat: { sites: [], demoSiteKey: SITE, offline: { digestDelayMs: 500, digestPollIntervalMs: 100 } },
      },
      outbox: { pollIntervalMs: 100 },
    }, { PORT: String(port), PUBLIC_URL: base });
    gateway = await createGateway(config, mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const a of agents) a.disconnect();
    await browser?.close();
    await stopGateway(gateway, sink);
  });

  async function agent(): Promise<{ socket: Socket; waiting: number[] }> {
    const socket = connect(`${base}/agents`, { auth: { token: gateway.config.adminToken, name: 'Dana' }, transports: ['websocket'], reconnection: false, forceNew: true });
    const waiting: number[] = [];
    socket.on('conversation:new', (c: { ticketNumber: number }) => waiting.push(c.ticketNumber));
    agents.push(socket);
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    return { socket, waiting };
  }
  const ask = <T>(socket: Socket, event: string, payload: unknown) => socket.timeout(10_000).emitWithAck(event, payload) as Promise<T>;

  async function demo(context: BrowserContext, lang = 'en'): Promise<Page> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${base}/chat/demo?lang=${lang}`, { waitUntil: 'load' });
    (page as unknown as { errors: string[] }).errors = errors;
    return page;
  }
  const lines = (page: Page) => page.locator('.hdw-log [data-author]:not([data-author=system])').evaluateAll((items) => items.map((i) => [i.getAttribute('data-author'), i.lastChild?.textContent ?? '']));

  it('a visitor writes with the keyboard, an agent answers by name, and after a reload the conversation is back', async () => {
    const { socket: dana, waiting } = await agent();
    const context = await browser.newContext();
    const page = await demo(context);
    const bubble = page.getByRole('button', { name: 'Open chat with support' });
    await expect(bubble.getAttribute('aria-expanded')).resolves.toBe('false');
    // Keyboard only: Tab to the bubble, Enter opens it and puts the focus in the message box.
    await bubble.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Chat with support' });
    await dialog.waitFor();
    await expect(bubble.getAttribute('aria-expanded')).resolves.toBe('true');
    const box = page.getByRole('textbox', { name: 'Your message' });
    await waitUntil(() => box.evaluate((el) => el === document.activeElement), 'focus in the message box', 5000, 50);
    await expect(page.getByRole('log', { name: 'Conversation' }).getAttribute('aria-live')).resolves.toBe('polite');
    await waitUntil(async () => (await page.locator('.hdw-note').textContent()) === 'An agent is online.', 'presence shown', 10_000, 100);

    await page.keyboard.type('Hello from the browser');
    await page.keyboard.press('Enter');
    const ticketNumber = await waitUntil(() => waiting[0], 'the conversation at the agent', 10_000, 100);
    await waitUntil(async () => (await page.locator('.hdw-log [data-author=visitor]').getAttribute('data-seq')) !== String(Number.MAX_SAFE_INTEGER), 'the ack', 10_000, 100);
    await ask(dana, 'conversation:join', { ticketNumber });
    dana.emit('typing', { ticketNumber, typing: true });
    await waitUntil(async () => (await page.locator('.hdw-typing').textContent()) === 'Dana is typing…', 'the agent typing', 10_000, 100);
    expect(await ask(dana, 'message:send', { ticketNumber, clientId: 'dana-1', text: 'Hi, how can I help?' })).toMatchObject({ ok: true });
    const answer = page.locator('.hdw-log [data-author=agent]');
    await answer.waitFor();
    await expect(answer.locator('.hdw-who').textContent()).resolves.toBe('Dana');
    await expect(page.locator('.hdw-typing').textContent()).resolves.toBe('');
    expect(await lines(page)).toEqual([['visitor', 'Hello from the browser'], ['agent', 'Hi, how can I help?']]);

    await page.reload({ waitUntil: 'load' });
    await page.locator('.hdw-log [data-author=agent]').waitFor();
    await waitUntil(async () => (await lines(page)).length === 2, 'the history after a reload', 10_000, 100);
    expect(await lines(page)).toEqual([['visitor', 'Hello from the browser'], ['agent', 'Hi, how can I help?']]);

    // Esc closes the panel and gives the focus back to the bubble.
    await page.getByRole('textbox', { name: 'Your message' }).focus();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog').isHidden()).resolves.toBe(true);
    await waitUntil(() => page.getByRole('button', { name: 'Open chat with support' }).evaluate((el) => el === document.activeElement), 'focus back on the bubble', 5000, 50);
    expect((page as unknown as { errors: string[] }).errors).toEqual([]);
    dana.disconnect();
    await context.close();
  });

  it('with no agent online it says so and takes an email; the answer goes by mail, the mail reply threads back and shows in the widget', async () => {
    await waitUntil(async () => (await Promise.all(agents.map((a) => a.connected))).every((c) => !c), 'agents gone', 5000, 50);
    const context = await browser.newContext();
    const page = await demo(context);
    await page.getByRole('button', { name: 'Open chat with support' }).click();
    await waitUntil(async () => (await page.locator('.hdw-note').textContent())?.startsWith('No agent is online right now.'), 'the offline notice', 10_000, 100);
    const email = page.getByRole('textbox', { name: 'Your email address' });
    await email.fill('walk-in@example.org');
    await page.getByRole('button', { name: 'Save email' }).click();
    await page.getByText('Thanks, we will answer at walk-in@example.org if you are gone.').waitFor();
    await page.getByRole('textbox', { name: 'Your message' }).fill('Do you ship to Surabaya?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await waitUntil(async () => (await page.locator('.hdw-log [data-author=visitor]').getAttribute('data-seq')) !== String(Number.MAX_SAFE_INTEGER), 'the ack', 10_000, 100);
    const ticketNumber = Number(await page.locator('.hdw-panel').getAttribute('data-ticket'));
    expect(ticketNumber).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Email me a transcript' }).click();
    await page.getByText('The transcript is on its way to walk-in@example.org.').waitFor();
    const [transcript] = await waitUntil(() => {
      const mails = sink.messages.filter((m) => m.envelope.to.includes('walk-in@example.org'));
      return mails.length ? mails : null;
    }, 'the transcript mail', 20_000, 100);
    expect(transcript!.parsed.subject).toContain('Transcript of your chat');
    expect(transcript!.parsed.text).toContain('Do you ship to Surabaya?');
    await page.close(); // the visitor leaves

    const { socket: dana } = await agent();
    await ask(dana, 'conversation:join', { ticketNumber });
    await ask(dana, 'message:send', { ticketNumber, clientId: 'dana-2', text: 'Yes, we ship to Surabaya in two days.' });
    const [mail] = await waitUntil(() => {
      const mails = sink.messages.filter((m) => m.envelope.to.includes('walk-in@example.org') && m.parsed.subject?.includes('New reply to your chat'));
      return mails.length ? mails : null;
    }, 'the digest mail', 20_000, 100);
    expect(mail!.parsed.text).toContain('Yes, we ship to Surabaya in two days.');

    const replyTo = (mail!.parsed.replyTo?.value ?? [])[0]?.address ?? '';
    const answer = await buildMail({
      from: 'walk-in@example.org', to: replyTo, subject: `Re: ${mail!.parsed.subject}`, messageId: '<walk-in-answer@example.org>',
      inReplyTo: mail!.parsed.messageId, text: 'Great, I will order today.',
    });
    expect(await gateway.channels.email.intake(answer, 'pipe', gateway.ingest)).toMatchObject({ outcome: 'appended', ticketNumber });

    // Back on the site: the widget shows the whole conversation, what was said by mail included.
    const again = await demo(context);
    await waitUntil(async () => (await lines(again)).length === 3, 'the conversation with the mail reply', 15_000, 100);
    expect(await lines(again)).toEqual([
      ['visitor', 'Do you ship to Surabaya?'],
      ['agent', 'Yes, we ship to Surabaya in two days.'],
      ['visitor', 'Great, I will order today.'],
    ]);
    dana.disconnect();
    await context.close();
  });

  it('speaks Indonesian on an Indonesian page', async () => {
    const context = await browser.newContext();
    const page = await demo(context, 'id');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('id');
    await page.getByRole('button', { name: 'Buka obrolan dengan dukungan' }).click();
    await page.getByRole('dialog', { name: 'Obrolan dengan dukungan' }).waitFor();
    await page.getByRole('textbox', { name: 'Pesan Anda' }).waitFor();
    await waitUntil(async () => (await page.locator('.hdw-note').textContent())?.startsWith('Saat ini tidak ada agen yang daring.'), 'the Indonesian offline notice', 10_000, 100);
    await expect(page.getByRole('button', { name: 'Kirim', exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('textbox', { name: 'Alamat email Anda' }).isVisible()).resolves.toBe(true);
    await context.close();
  });
});
