/**
 * The SLA due times on a ticket in the console, in a real browser, with a fake clock injected into
 * the gateway's core (time jumps, no sleeping): due at 10:00 Jakarta time even in a browser in New
 * York, marked as a warning once half the time is used and as breached once it has passed (the
 * breach escalates the ticket to L2).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chromiumAvailable, consoleSession, launchChromium, type ConsoleSession } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const MINUTE = 60_000;
/** Jakarta is UTC+7 all year. */
const wib = (date: string, time: string) => new Date(`${date}T${time}:00+07:00`);

class FakeClock implements Clock {
  constructor(private at: Date) {}
  now(): Date { return new Date(this.at); }
  set(at: Date): void { this.at = at; }
}

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium', 'console-sla.e2e'))('SLA due times in the console', () => {
  const clock = new FakeClock(wib('2026-12-07', '09:00')); // a Monday morning in Jakarta
  let sink: SmtpSink;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let base: string;
  let ticketNumber = 0;
  let session: ConsoleSession;
  const firstResponse = () => page.locator('section.sla [data-target=firstResponse]');
  const advance = async (to: Date) => {
    clock.set(to);
    await gateway.sla.scheduler.runDue();
    await gateway.sla.tracker.idle();
  };
  /** Opens the ticket afresh (a warning changes no ticket field, so no live event re-renders it). */
  const reopen = async () => {
    await page.goto(`${base}/#/`);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.goto(`${base}/#/tickets/${ticketNumber}`);
    await page.locator('section.sla').waitFor();
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('console_sla') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
      // The outbox leases by the same (fake) clock: a lease must outlast the jumps the test makes.
      outbox: { pollIntervalMs: 100, leaseMs: 30 * 24 * 60 * MINUTE },
      sla: { pollIntervalMs: 100, warnAtPercent: 50, policies: [{ name: 'standard', priority: 'normal', firstResponseMinutes: 60, resolutionMinutes: 180 }] },
    }), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), { clock });
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    await gateway.agents.create({ email: 'sari@helpdesk.test', displayName: 'Sari', role: 'agent', tier: 'L1', language: 'en' }, 'sari-password-123');
    browser = await launchChromium();
    session = consoleSession(browser, base);
  });

  afterAll(async () => {
    await session?.close();
    await browser?.close();
    await stopGateway(gateway, sink);
  });

  it('shows the due times in the calendar\'s zone', async () => {
    const created = await gateway.channels.email.intake(await buildMail({
      from: 'Tono <tono@example.org>', messageId: '<sla-console@example.org>', subject: 'Email quota full', text: 'My mailbox says the quota is full.',
    }), 'test', gateway.ingest);
    ticketNumber = created.ticketNumber!;
    // A browser far from the calendar's zone: the due times must still read in Jakarta time.
    page = await session.signIn('sari@helpdesk.test', 'sari-password-123', { context: { timezoneId: 'America/New_York' } });
    await page.getByRole('link', { name: `#${ticketNumber}` }).click();
    await page.locator('section.sla').getByText('Policy standard · Times in Asia/Jakarta.').waitFor();
    expect(await firstResponse().getAttribute('data-state')).toBe('running');
    expect(await firstResponse().textContent()).toBe('Due 7 Dec 2026, 10:00');
    expect(await page.locator('section.sla [data-target=resolution]').textContent()).toBe('Due 7 Dec 2026, 12:00');
  });

  it('marks the warning once half the time is used, and the breach once the time has passed', async () => {
    await advance(wib('2026-12-07', '09:40'));
    await reopen();
    expect(await firstResponse().getAttribute('data-state')).toBe('warning');
    expect(await firstResponse().textContent()).toBe('Due 7 Dec 2026, 10:00 — Warning: due soon');

    await advance(wib('2026-12-07', '10:05'));
    await reopen();
    expect(await firstResponse().getAttribute('data-state')).toBe('breached');
    expect(await firstResponse().textContent()).toBe('Breached: was due 7 Dec 2026, 10:00');
    expect(await firstResponse().getAttribute('class')).toContain('sla-breached'); // console.css marks it in red
    const ticket = await (await fetch(`${base}/api/v1/tickets/${ticketNumber}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } })).json();
    expect(ticket.tier).toBe('L2');
    expect(session.pageErrors).toEqual([]);
  });
});
