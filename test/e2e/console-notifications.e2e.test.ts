/**
 * An agent's own notification settings in the console, in a real browser (here in Indonesian):
 * the form shows the account's switches, saving one off is kept on the account (and survives a
 * reload), and the help desk then mails the agent accordingly: an assignment still arrives at the
 * SMTP peer, a customer's reply no longer does.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signReplyToken, type Agent } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(skipUnless(existsSync(CHROMIUM), 'Debian chromium', 'console-notifications.e2e'))('notification settings in the console', () => {
  let sink: SmtpSink;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let base: string;
  let wati: Agent;
  const pageErrors: string[] = [];
  const replies = 'Balasan pelanggan pada tiket yang ditugaskan kepada saya';

  beforeAll(async () => {
    sink = await startSmtpSink();
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('console_notify') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
      outbox: { pollIntervalMs: 100 },
    }), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    wati = (await gateway.agents.create({ email: 'wati@helpdesk.test', displayName: 'Wati', role: 'agent', tier: 'L2', language: 'id' }, 'wati-password-123')).agent;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const context = await browser.newContext({ locale: 'id-ID' });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.conn.dropDatabase().catch(() => {});
    await gateway?.stop();
    await sink?.stop();
  });

  it('switches off customer replies from the form, in Indonesian, and keeps it', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Alamat email').fill('wati@helpdesk.test');
    await page.getByLabel('Kata sandi').fill('wati-password-123');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('link', { name: 'Notifikasi' }).click();
    await page.getByRole('heading', { name: 'Email notifikasi' }).waitFor();
    expect(await page.getByLabel('Tiket baru di tingkat saya (L2), dan tiket yang dieskalasi ke sana').isChecked()).toBe(true);
    expect(await page.getByLabel(replies).isChecked()).toBe(true);
    await page.getByLabel(replies).uncheck();
    await page.getByRole('button', { name: 'Simpan' }).click();
    await page.getByText('Pengaturan notifikasi tersimpan.').waitFor();
    expect((await gateway.agents.byId(wati.id))!.notifications).toEqual({ newTickets: true, assignments: true, customerReplies: false });
    await page.reload();
    await page.getByRole('heading', { name: 'Email notifikasi' }).waitFor();
    expect(await page.getByLabel(replies).isChecked()).toBe(false);
    expect(await page.getByLabel('Tiket yang ditugaskan kepada saya', { exact: true }).isChecked()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('then mails the agent an assignment but not a customer reply', async () => {
    const created = await gateway.channels.email.intake(await buildMail({ from: 'rudi@example.org', messageId: '<cn-1@example.org>', subject: 'Printer offline' }), 'test', gateway.ingest);
    const n = created.ticketNumber!;
    await gateway.actions.assign(n, wati.id, { id: 'agent:api' });
    const mine = () => sink.messages.filter((m) => m.envelope.to.includes('wati@helpdesk.test'));
    const [assigned] = await waitUntil(() => (mine().length ? mine() : null), 'the assignment mail');
    expect(assigned!.parsed.subject).toBe(`[#${n}] Ditugaskan kepada Anda: Printer offline`);
    await gateway.channels.email.intake(await buildMail({
      from: 'rudi@example.org', messageId: '<cn-2@example.org>', to: `support+${signReplyToken({ keys: [{ id: '1', secret: 'test-secret-0123456789abcdef' }] }, n)}@helpdesk.test`,
      subject: `Re: [#${n}] Printer offline`, text: 'Still offline.',
    }), 'test', gateway.ingest);
    await gateway.fanout.runDue();
    expect(await gateway.conn.collection('outbox').countDocuments({ kind: 'agent-notification', 'to.address': 'wati@helpdesk.test' })).toBe(1);
  });
});
