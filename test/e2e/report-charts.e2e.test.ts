/**
 * The console's reports page in a real browser against a real gateway: a small history is made
 * through the gateway itself (web form submissions, then assignments, replies, escalation, status
 * changes through the agent API, with a fake clock moved forward so the SLA scheduler records real
 * breaches), an agent signs in and opens Reports; both charts are Chart.js instances that drew
 * pixels, and the table (the charts' text alternative) shows the figures GET /api/v1/reports returns.
 *
 * REPORT_SCREENSHOT=docs/report-charts.png also saves a picture of the page over a sample week for the
 * README (scripts/screenshot-reports.sh).
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signFormToken } from '../../channels/webform/form-token.ts';
import { createGateway, tokenKeys, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, type ApiCaller } from '../support/api-client.ts';
import { chromiumAvailable, consoleSession, launchChromium, type ConsoleSession } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const SCREENSHOT = process.env.REPORT_SCREENSHOT;
const MINUTE = 60_000;
const COLUMNS = ['ticketsHandled', 'firstResponseMedianMin', 'firstResponseP90Min', 'resolutionMedianMin', 'resolutionP90Min',
  'slaCompliance', 'escalations', 'reopenRate', 'articlesSuggested', 'articlesAccepted'] as const;
type Row = Record<(typeof COLUMNS)[number], number | null> & { key: string };
type Report = { slaAvailable: boolean; total: Row; by: Record<'agent' | 'tier' | 'channel' | 'category', Row[]> };

/** What the table shows for a figure in English (the console formats the same way). */
const shown = (column: string, value: number | null) => (value === null ? '—'
  : new Intl.NumberFormat('en-GB', column === 'slaCompliance' || column === 'reopenRate' ? { style: 'percent', maximumFractionDigits: 2 } : { maximumFractionDigits: 2 }).format(value));
const utcDate = (d: Date) => d.toISOString().slice(0, 10);

describe.skipIf(skipUnless(chromiumAvailable(), 'Debian chromium', 'report-charts.e2e'))('report charts in the console', () => {
  let gateway: Gateway;
  let sink: SmtpSink;
  let browser: Browser;
  let page: Page;
  let base: string;
  let api: ApiCaller;
  let offset = 0;
  let session: ConsoleSession;
  const agentIds: Record<string, string> = {};
  // The range the test asks for: the days the history was made in (the fake clock runs a few hours ahead).
  const from = utcDate(new Date(Date.now() - 24 * 60 * MINUTE));
  const to = utcDate(new Date(Date.now() + 24 * 60 * MINUTE));
  const apiTo = utcDate(new Date(Date.parse(`${to}T00:00:00Z`) + 24 * 60 * MINUTE));

  const ok = async (res: Response, what: string) => {
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
  const report = async (query = `from=${from}&to=${apiTo}`) => ok(await api('GET', `/reports?${query}`), 'report') as Promise<Report>;
  const patch = async (n: number, body: Record<string, unknown>) => ok(await api('PATCH', `/tickets/${n}`, body), `PATCH #${n}`);
  const reply = async (n: number, text: string) => ok(await api('POST', `/tickets/${n}/replies`, { text }), `reply #${n}`);
  const at = async (minutes: number) => { offset = minutes * MINUTE; };

  beforeAll(async () => {
    sink = await startSmtpSink();
    const config = testConfig({
      database: { dbName: testDbName('report-charts') },
      channels: {
        email: { smtp: { host: sink.host, port: sink.port, tls: false } },
        webform: { rateLimit: { perIpLimit: 1000, perIpWindowSec: 3600, perAddressLimit: 100, perAddressWindowSec: 3600, keyPrefix: `test:${testDbName('report-charts')}` } },
      },
      outbox: { pollIntervalMs: 200 },
      // Round the clock, so the targets below are plain minutes whatever the hour the test runs.
      sla: {
        pollIntervalMs: 200,
        calendar: { timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59', holidays: [] },
        policies: [{ name: 'normal', priority: 'normal', firstResponseMinutes: 30, resolutionMinutes: 600 }],
      },
    });
    gateway = await createGateway(config, mongoUri(), createLogger('silent'), { clock: { now: () => new Date(Date.now() + offset) } });
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    api = bearerClient(base, config.adminToken);
    for (const [name, role, tier] of [['Ana', 'admin', 'L1'], ['Citra', 'agent', 'L1'], ['Bo', 'agent', 'L2']] as const) {
      const created = await ok(await api('POST', '/agents', {
        email: `${name.toLowerCase()}@helpdesk.test`, displayName: name, role, tier, language: 'en', password: `${name.toLowerCase()}-password-123`,
      }), `agent ${name}`) as { agent: { id: string } };
      agentIds[name] = created.agent.id;
    }

    // Seven customers write through the web form.
    const keys = tokenKeys(config);
    const tickets: number[] = [];
    for (const [i, subject] of ['VPN drops every hour', 'Invoice shows the wrong tax', 'Cannot reach the file server', 'Refund not received',
      'Password reset mail never arrives', 'Wi-Fi on floor 2 is slow', 'Printer queue stuck'].entries()) {
      const res = await fetch(`${base}/api/v1/forms/submit`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Customer ${i + 1}`, email: `customer${i + 1}@example.org`, subject, message: `${subject}, since this morning.`, formToken: signFormToken(keys, new Date(Date.now() - 10_000)) }),
      });
      tickets.push(((await ok(res, `form ${i + 1}`)) as { ticketNumber: number }).ticketNumber);
    }
    const [vpn, invoice, fileServer, refund, password, wifi, printer] = tickets as [number, number, number, number, number, number, number];
    const assign = async (n: number, agent: string | null, category: string) => patch(n, { assigneeId: agent && agentIds[agent]!, category });
    await assign(vpn, 'Ana', 'network');
    await assign(fileServer, 'Ana', 'network');
    await assign(invoice, 'Ana', 'billing');
    await assign(refund, 'Citra', 'billing');
    await assign(password, 'Citra', 'account');
    await assign(wifi, 'Bo', 'network');
    await assign(printer, null, 'hardware');
    await ok(await api('POST', `/tickets/${wifi}/escalate`, { tier: 'L2', reason: 'Needs the network team' }), 'escalate');
    await reply(vpn, 'We are looking at the VPN concentrator.');
    await reply(fileServer, 'The file server is back; please try again.');
    await reply(refund, 'The refund was sent yesterday.');
    await reply(wifi, 'A technician is on the way.');

    // 45 minutes on: three tickets nobody answered breach their 30-minute first response target.
    await at(45);
    await waitUntil(async () => (await report()).total.slaCompliance === Number((4 / 7).toFixed(4)), 'three first-response breaches', 90_000);
    await reply(invoice, 'Sorry for the wait: the tax rate is fixed.');
    await reply(password, 'Sorry for the wait: we sent a new reset link.');
    await at(60);
    await patch(vpn, { status: 'resolved' });
    await at(90);
    await patch(refund, { status: 'resolved' });
    await at(120);
    await patch(fileServer, { status: 'resolved' });
    await patch(wifi, { status: 'resolved' });
    await at(150);
    await patch(refund, { status: 'open' }); // reopened
    await at(180);
    await patch(password, { status: 'resolved' });
    await patch(invoice, { status: 'resolved' });
    // Breaches escalate by themselves: wait until the report stops changing.
    let last = '';
    await waitUntil(async () => {
      const now = JSON.stringify(await report());
      const still = now === last;
      last = now;
      return still;
    }, 'a settled report', 90_000, 1000);

    browser = await launchChromium();
    session = consoleSession(browser, base);
    page = await session.signIn('ana@helpdesk.test', 'ana-password-123', { context: { viewport: { width: 1280, height: 900 } } });
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
  }, 300_000); // generous: a busy machine (other browser tests, a benchmark) slows the seeding, not what is checked

  afterAll(async () => {
    await session?.close();
    await browser?.close();
    await stopGateway(gateway, sink);
  });

  const agentName = (key: string) => (key === '(unassigned)' ? 'Unassigned' : Object.entries(agentIds).find(([, id]) => id === key)![0]);
  /** The table as a user reads it: row label, then each figure's text. */
  const tableRows = () => page.locator('table.report tr[data-key]').evaluateAll((rows) => rows.map((tr) => ({
    key: (tr as HTMLElement).dataset.key!, label: tr.querySelector('th')!.textContent!, cells: [...tr.querySelectorAll('td')].map((td) => td.textContent!),
  })));
  /** The console's order: by label, rows without an agent or category last. */
  const byLabel = (rows: Row[], label: (key: string) => string) => [...rows].sort((a, b) => Number(a.key.startsWith('(')) - Number(b.key.startsWith('('))
    || label(a.key).localeCompare(label(b.key), 'en'));
  const expected = (rows: Row[], total: Row, label: (key: string) => string) => [
    ...byLabel(rows, label).map((r) => ({ key: r.key, label: label(r.key), cells: COLUMNS.map((c) => shown(c, r[c])) })),
    { key: 'total', label: 'Total', cells: COLUMNS.map((c) => shown(c, total[c])) },
  ];

  it('opens Reports from the navigation and shows the range asked for', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.getByLabel('From').fill(from);
    await page.getByLabel('To (inclusive)').fill(to);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('table.report caption').getByText(`Tickets opened from ${from} to ${to}, per agent`).waitFor();
  });

  it('draws both charts with Chart.js, from the figures of the API', async () => {
    const json = await report();
    const charts = await page.locator('canvas[data-chart]').evaluateAll((canvases) => canvases.map((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const chart = (globalThis as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[]; datasets: Array<{ label: string; data: Array<number | null> }> } } | undefined } }).Chart.getChart(c);
      const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let painted = 0;
      let blue = 0; // the tickets-handled bars and the p90 first-response bars: #0072b2
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3]! > 0) painted++;
        if (pixels[i] === 0 && pixels[i + 1] === 114 && pixels[i + 2] === 178 && pixels[i + 3] === 255) blue++;
      }
      return {
        name: c.dataset.chart, width: c.width, height: c.height, painted, blue, label: c.getAttribute('aria-label'), describedBy: c.getAttribute('aria-describedby'),
        labels: chart?.data.labels ?? null, datasets: chart?.data.datasets.map((d) => ({ label: d.label, data: d.data })) ?? null,
      };
    }));
    expect(charts.map((c) => c.name)).toEqual(['volume', 'times']);
    // The agents by name, nobody's tickets last.
    const rows = byLabel(json.by.agent, agentName);
    const [volume, times] = charts;
    expect(volume!.labels).toEqual(['Ana', 'Bo', 'Citra', 'Unassigned']);
    expect(volume!.labels).toEqual(rows.map((r) => agentName(r.key)));
    expect(volume!.datasets).toEqual([
      { label: 'Tickets handled', data: rows.map((r) => r.ticketsHandled) },
      { label: 'SLA compliance (%)', data: rows.map((r) => r.slaCompliance! * 100) },
    ]);
    expect(times!.datasets!.map((d) => d.label)).toEqual(['First response, median', 'First response, p90', 'Resolution, median', 'Resolution, p90']);
    expect(times!.datasets![2]!.data).toEqual(rows.map((r) => r.resolutionMedianMin));
    for (const chart of charts) {
      // Drawn, not blank: a good share of the canvas is painted, including bars in the first series' colour.
      expect(chart.width * chart.height).toBeGreaterThan(0);
      expect(chart.painted / (chart.width * chart.height)).toBeGreaterThan(0.02);
      expect(chart.blue).toBeGreaterThan(50);
      // The text alternative: a label, and the table with the same figures.
      expect(chart.label).toMatch(/The table below has the same figures\.$/);
      expect(chart.describedBy).toBe('report-table');
    }
    expect(session.pageErrors).toEqual([]);
  });

  it('shows the same figures in the table as the JSON API, per agent and per tier', async () => {
    const json = await report();
    // The history: 7 tickets, 3 first responses missed (each escalated by the breach), 1 manual escalation, 1 reopened.
    expect(json.total).toMatchObject({ ticketsHandled: 7, slaCompliance: 0.5714, escalations: 4, reopenRate: 0.1429 });
    expect(await tableRows()).toEqual(expected(json.by.agent, json.total, agentName));
    expect(await page.locator('table.report tr[data-key=total] td[data-column=slaCompliance]').textContent()).toBe('57.14%');
    expect(await page.locator('.report-result').textContent()).not.toMatch(/null|undefined/);

    await page.getByLabel('Group by').selectOption('tier');
    await page.locator('table.report caption').getByText('per tier').waitFor();
    expect(await tableRows()).toEqual(expected(json.by.tier, json.total, (key) => key));
    expect(json.by.tier.map((r) => r.key)).toEqual(['L1', 'L2']);
    expect((await page.locator('canvas[data-chart=volume]').evaluate((c) => (globalThis as unknown as { Chart: { getChart(c: Element): { data: { labels: string[] } } } }).Chart.getChart(c)!.data.labels))).toEqual(['L1', 'L2']);
  });

  it('filters by channel, and links the CSV of the same report', async () => {
    await page.getByLabel('Channel', { exact: true }).selectOption('email');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No tickets were opened in this range.').waitFor();
    expect(await page.locator('canvas').count()).toBe(0);
    await page.getByLabel('Channel', { exact: true }).selectOption('webform');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('canvas[data-chart=volume]').waitFor();
    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(href).toBe(`/api/v1/reports.csv?from=${from}&to=${apiTo}&channel=webform`);
    // The link works with the agent's session (what the browser sends when it is clicked).
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    const json = await report(`from=${from}&to=${apiTo}&channel=webform`);
    expect(csv.split('\r\n')[1]).toBe(['total', 'total', ...COLUMNS.map((c) => (json.total[c] === null ? '' : String(json.total[c])))].join(','));
  });

  it('speaks Indonesian when the agent switches language', async () => {
    await page.getByLabel('Language').selectOption('id');
    await page.getByRole('heading', { name: 'Laporan' }).waitFor();
    await page.locator('table.report caption').getByText('Tiket yang dibuka dari').waitFor();
    await page.getByRole('link', { name: 'Antrean' }).waitFor();
    expect(await page.locator('table.report thead th').allTextContents()).toContain('Kepatuhan SLA');
    await page.getByLabel('Bahasa').selectOption('en');
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
  });

  it.runIf(Boolean(SCREENSHOT))('saves a screenshot of the charts for the README, over a sample week of realistic times', async () => {
    // Replies made within one test run are seconds apart, so first responses above are fractions of a
    // minute. The picture shows a week of plausible times instead: documents written straight to the
    // database (as in test/integration/reports-figures.test.ts), in last week, apart from the history above.
    const monday = new Date(`${utcDate(new Date(Date.now() - 7 * 24 * 60 * MINUTE))}T00:00:00Z`);
    monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
    const sunday = utcDate(new Date(monday.getTime() + 6 * 24 * 60 * MINUTE));
    await seedSampleWeek(gateway, monday, agentIds);
    await page.getByLabel('From').fill(utcDate(monday));
    await page.getByLabel('To (inclusive)').fill(sunday);
    await page.getByLabel('Group by').selectOption('agent');
    await page.getByLabel('Channel', { exact: true }).selectOption('');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('table.report caption').getByText(`Tickets opened from ${utcDate(monday)} to ${sunday}, per agent`).waitFor();
    await page.locator('table.report tr[data-key=total] td[data-column=ticketsHandled]').getByText('16').waitFor();
    await page.locator('main').screenshot({ path: SCREENSHOT! });
    expect(existsSync(SCREENSHOT!)).toBe(true);
  });
});

/**
 * A week of help desk work for the README's picture: [agent, tier, channel, category, first response
 * and resolution in minutes (null: none yet), SLA breached, escalations, reopened, articles suggested, accepted].
 */
const SAMPLE_WEEK: Array<[string | null, string, string, string | null, number | null, number | null, boolean, number, boolean, number, number]> = [
  ['Ana', 'L1', 'email', 'network', 12, 95, false, 0, false, 2, 1],
  ['Ana', 'L1', 'chat', 'account', 3, 25, false, 0, false, 1, 1],
  ['Ana', 'L1', 'email', 'billing', 20, 180, false, 0, false, 0, 0],
  ['Ana', 'L1', 'webform', 'network', 45, 300, true, 0, false, 1, 0],
  ['Ana', 'L1', 'chat', 'account', 5, 40, false, 0, true, 2, 1],
  ['Ana', 'L1', 'email', 'network', 15, 120, false, 0, false, 0, 0],
  ['Citra', 'L1', 'email', 'billing', 30, 240, false, 0, false, 1, 0],
  ['Citra', 'L1', 'webform', 'billing', 60, 420, true, 0, false, 2, 1],
  ['Citra', 'L1', 'email', 'account', 25, 200, false, 0, false, 1, 1],
  ['Citra', 'L1', 'chat', 'billing', 8, 60, false, 0, false, 0, 0],
  ['Bo', 'L2', 'email', 'network', 40, 480, false, 1, false, 0, 0],
  ['Bo', 'L2', 'webform', 'hardware', 75, 720, true, 1, false, 1, 0],
  ['Bo', 'L2', 'email', 'network', 35, 360, false, 1, true, 0, 0],
  ['Bo', 'L2', 'email', 'hardware', 50, 540, false, 2, false, 1, 1],
  [null, 'L1', 'webform', null, null, null, false, 0, false, 0, 0],
  [null, 'L1', 'email', 'hardware', null, null, true, 0, false, 1, 0],
];

async function seedSampleWeek(gateway: Gateway, monday: Date, agentIds: Record<string, string>): Promise<void> {
  const { Ticket, Message, TicketEvent } = gateway.models;
  const tickets: unknown[] = [];
  const messages: unknown[] = [];
  const events: unknown[] = [];
  const suggestions: unknown[] = [];
  const after = (base: Date, minutes: number) => new Date(base.getTime() + minutes * MINUTE);
  SAMPLE_WEEK.forEach(([agent, tier, channel, category, firstResponse, resolution, breached, escalations, reopened, suggested, accepted], i) => {
    const id = `tk_week${i}`;
    // Weekdays 09:00 to 16:00 UTC, three or four a day.
    const created = after(monday, (Math.floor(i / 4) * 24 + 9 + (i % 4) * 2) * 60);
    tickets.push({
      _id: id, number: 1000 + i, subject: `sample ${i}`, status: resolution === null ? 'open' : 'resolved', priority: 'normal', requesterId: 'ct_sample',
      participantIds: [], locale: 'en', flags: [], tags: [], createdAt: created, updatedAt: created, lastMessageAt: created, channel, tier,
      ...(category ? { category } : {}), ...(agent ? { assigneeId: agentIds[agent] } : {}),
    });
    const message = (minutes: number, fields: Record<string, unknown>) => messages.push({
      _id: `ms_week${messages.length}`, ticketId: id, ticketNumber: 1000 + i, channel, externalId: `week-${messages.length}`, from: {}, to: [], cc: [],
      subject: 's', text: 't', visibleText: 't', attachments: [], decisions: [], complete: true, createdAt: after(created, minutes), ...fields,
    });
    message(0, { direction: 'inbound', role: 'customer', opensTicket: true, classification: 'human' });
    if (firstResponse !== null) message(firstResponse, { direction: 'outbound', author: 'agent' });
    const event = (minutes: number, type: string, data: Record<string, unknown>) => events.push({ _id: `ev_week${events.length}`, ticketId: id, type, actor: 'agent:sample', data, at: after(created, minutes) });
    for (let e = 0; e < escalations; e++) event(5 + e, 'ticket.escalated', { from: 'L1', to: 'L2', reason: 'sample' });
    if (breached) event(firstResponse ?? 240, 'sla.breached', { target: 'firstResponse' });
    if (resolution !== null) event(resolution, 'ticket.status-changed', { from: 'open', to: 'resolved' });
    if (reopened) event((resolution ?? 0) + 30, 'ticket.status-changed', { from: 'resolved', to: 'open' });
    for (let k = 0; k < suggested; k++) suggestions.push({ _id: `${id}~kb_${k}`, ticketId: id, articleId: `kb_${k}`, ...(k < accepted ? { answer: 'solved' } : {}) });
  });
  await Ticket.collection.insertMany(tickets as never[]);
  await Message.collection.insertMany(messages as never[]);
  await TicketEvent.collection.insertMany(events as never[]);
  await gateway.conn.collection('kb_suggestions').insertMany(suggestions as never[]);
}
