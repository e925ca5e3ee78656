/**
 * An agent's own notification settings in the console, in a real browser (here in Indonesian):
 * the form shows the account's switches, saving one off is kept on the account (and survives a
 * reload), and the help desk then mails the agent accordingly: an assignment still arrives at the
 * SMTP peer, a customer's reply no longer does.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signReplyToken, type Agent } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chromiumAvailable, consoleSession, launchChromium, type ConsoleSession } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { countOutbox } from '../support/outbox.ts';
import { stopGateway } from '../support/teardown.ts';

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium', 'console-notifications.e2e'))('notification settings in the console', () => {
  let sink: SmtpSink;
  let gateway: Gateway;
  let browser: Browser;
  let session: ConsoleSession;
  let base: string;
  let wati: Agent;
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
    browser = await launchChromium();
    session = consoleSession(browser, base);
  });

  afterAll(async () => {
    await session?.close();
    await browser?.close();
    await stopGateway(gateway, sink);
  });

  it('switches off customer replies from the form, in Indonesian, and keeps it', async () => {
    const page = await session.signIn('wati@helpdesk.test', 'wati-password-123', { context: { locale: 'id-ID' } });
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
    expect(session.pageErrors).toEqual([]);
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
    expect(await countOutbox(gateway.conn.db!, { kind: 'agent-notification', 'to.address': 'wati@helpdesk.test' })).toBe(1);
  });
});
