/**
 * Resending a failed delivery from the console, in Debian Chromium against a real gateway, FerretDB
 * and an SMTP peer: the customer's server refuses the agent's reply for good, the ticket shows the
 * delivery failed with a Resend button; once the server accepts again, one click sends it (the
 * state follows to "sent" without a reload) and the customer gets it exactly once. In Indonesian
 * the button is "Kirim ulang".
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient } from '../support/api-client.ts';
import { chromiumAvailable, consoleSession, launchChromium, type ConsoleSession } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const CUSTOMER = 'wira@example.org';
const REPLY = 'The replacement laptop ships tomorrow.';

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium (/usr/bin/chromium)', 'console-resend.e2e'))('resend from the console', () => {
  let gateway: Gateway;
  let sink: SmtpSink;
  let browser: Browser;
  let base: string;
  let refusing = true;
  let session: ConsoleSession;

  beforeAll(async () => {
    sink = await startSmtpSink({ rejectRecipients: (address) => refusing && address === CUSTOMER });
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('console_resend') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
      outbox: { pollIntervalMs: 200 },
    }), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    await gateway.agents.create({ email: 'ana@helpdesk.test', displayName: 'Ana', role: 'agent', tier: 'L1', language: 'en' }, 'ana-password-123');
    await gateway.agents.create({ email: 'bo@helpdesk.test', displayName: 'Bo', role: 'agent', tier: 'L1', language: 'id' }, 'bo-password-123');
    await gateway.channels.email.intake(await buildMail({ messageId: '<laptop-1@example.org>', from: `Wira <${CUSTOMER}>`, subject: 'Laptop broken' }), 'test', gateway.ingest);
    const api = bearerClient(base, gateway.config.adminToken);
    expect((await api('POST', '/tickets/1/replies', { text: REPLY, requestId: 'laptop-reply' })).status).toBe(201);
    browser = await launchChromium();
    session = consoleSession(browser, base);
  });

  afterAll(async () => {
    await session?.close();
    await browser?.close();
    await stopGateway(gateway, sink);
  });

  const reply = (page: Page) => page.locator('.message.outbound').filter({ hasText: REPLY });

  it('shows the refused reply as failed, with a Resend button (Kirim ulang in Indonesian)', async () => {
    const bo = await session.signIn('bo@helpdesk.test', 'bo-password-123');
    await bo.getByRole('heading', { name: 'Antrean' }).waitFor();
    await bo.goto(`${base}/#/tickets/1`);
    await reply(bo).locator('.delivery-failed').waitFor({ timeout: 30_000 });
    await reply(bo).getByRole('button', { name: 'Kirim ulang' }).waitFor();
  });

  it('sends it again with one click once the server accepts; the state follows to sent; delivered once', async () => {
    const ana = await session.signIn('ana@helpdesk.test', 'ana-password-123');
    await ana.getByRole('heading', { name: 'Queue' }).waitFor();
    await ana.goto(`${base}/#/tickets/1`);
    await reply(ana).getByText('Delivery: failed').waitFor({ timeout: 30_000 });
    expect(sink.messages.filter((m) => m.parsed.text?.includes(REPLY))).toHaveLength(0);
    refusing = false;
    await reply(ana).getByRole('button', { name: 'Resend' }).click();
    await reply(ana).locator('.delivery-sent').getByText('Delivery: sent').waitFor({ timeout: 30_000 });
    expect(await reply(ana).getByRole('button', { name: 'Resend' }).count()).toBe(0);
    const atPeer = () => sink.messages.filter((m) => m.parsed.text?.includes(REPLY));
    await waitUntil(() => atPeer().length > 0, 'the reply at the peer');
    await new Promise((r) => setTimeout(r, 1000));
    const delivered = atPeer();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.envelope.to).toEqual([CUSTOMER]);
  });

  it('raised no error in the page', () => {
    expect(session.pageErrors).toEqual([]);
  });
});
