/**
 * Hostile mail against the real gateway (issue 6, "bounded time"): each crafted input goes through
 * the real intake and ingest and ends as a ticket or a quarantine item in seconds, while the
 * gateway's own HTTP server keeps answering GET /healthz. The poller runs in this process, on the
 * gateway's event loop, so any stretch in which the loop is blocked shows as a gap between answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeRawMail } from '../../channels/email/mail.intake.ts';
import type { MailLimits } from '../../channels/email/parse/mail.normalizer.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import type { AppConfig } from '../../config/index.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { stopGateway } from '../support/teardown.ts';

/** Longest time /healthz may go unanswered while a hostile mail is processed. */
const MAX_GAP_MS = 1500;

let gateway: Gateway;
let config: AppConfig;
let base: string;

/** Runs `work` while /healthz is polled every 100 ms; returns its result and the longest gap between answers. */
async function whilePolled<T>(work: () => Promise<T>): Promise<{ result: T; longestGap: number }> {
  let last = performance.now();
  let longestGap = 0;
  let running = true;
  const poller = (async () => {
    while (running) {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(200);
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    const result = await work();
    return { result, longestGap: Math.max(longestGap, performance.now() - last) };
  } finally {
    running = false;
    await poller;
  }
}

/** The email channel's own intake; with `limits`, the same intake path under other limits. */
const intake = (raw: Buffer, limits?: Partial<MailLimits>) => (limits
  ? intakeRawMail(raw, 'test', {
    sink: gateway.ingest, logger: createLogger('silent'),
    context: { blobs: gateway.repos.blobs, supportAddress: config.supportAddress, limits: { ...config.channels.email.limits, ...limits } },
  })
  : gateway.channels.email.intake(raw, 'test', gateway.ingest));

/** A mail as raw RFC 822 text, CRLF line ends. */
const rawMail = (headers: string[], body: string) => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`, 'latin1');
const base822 = (id: string) => [`Message-ID: <${id}@hostile.example>`, 'Date: Mon, 30 Nov 2026 00:00:00 +0000', 'To: support@helpdesk.test'];

beforeAll(async () => {
  config = testConfig({ database: { dbName: testDbName('hostile_time') } });
  gateway = await createGateway(config, mongoUri(), createLogger('silent'));
  await gateway.start();
  base = `http://127.0.0.1:${gateway.httpPort()}`;
  // The parse workers are started before anything is measured.
  await intake(await buildMail({ messageId: '<warm-up@example.org>' }));
});

afterAll(async () => {
  await stopGateway(gateway);
});

describe('hostile headers', () => {
  it('takes a 160 KB From header without an @ as a ticket without a sender address', async () => {
    const raw = rawMail([...base822('from-160k'), `From: ${'x'.repeat(160 * 1024)}`, 'Subject: Long sender'], 'Hello');
    const { result, longestGap } = await whilePolled(() => intake(raw));
    expect(result).toMatchObject({ outcome: 'created' });
    const stored = await gateway.repos.messages.byExternalId('email', 'from-160k@hostile.example');
    expect(stored?.complete).toBe(true);
    expect(stored?.from?.address).toBeUndefined();
    expect(longestGap).toBeLessThan(MAX_GAP_MS);
  });

  it('quarantines a mail with more than 4 MiB of header, raw bytes kept', async () => {
    // 4 MiB is the header limit (room for 50,000 Cc addresses, which make a ticket: poison-mail.test.ts).
    const raw = rawMail([...base822('header-1m'), 'From: ann@example.org', 'Subject: Big header', `X-Filler: ${'a '.repeat(2.25 * 1024 * 1024)}`], 'Hello');
    const { result, longestGap } = await whilePolled(() => intake(raw));
    expect(result).toMatchObject({ outcome: 'quarantined', reason: expect.stringContaining('header size') });
    const item = (await gateway.repos.quarantine.list()).find((q) => q.reason === result.reason);
    expect(item?.size).toBe(raw.length);
    expect((await gateway.repos.blobs.stat(item!.rawBlobId))?.size).toBe(raw.length);
    expect(longestGap).toBeLessThan(MAX_GAP_MS);
  });

  it('takes 80,000 References as a ticket', async () => {
    // Short ids: the whole header stays under mailsplit's 1 MiB header limit, so it is parsed.
    const refs = Array.from({ length: 80_000 }, (_, i) => `<${i.toString(36)}@e>`).join(' ');
    const raw = rawMail([...base822('refs-80k'), 'From: ann@example.org', 'Subject: Many references', `References: ${refs}`], 'Hello');
    const { result, longestGap } = await whilePolled(() => intake(raw));
    expect(result).toMatchObject({ outcome: 'created' });
    expect(longestGap).toBeLessThan(MAX_GAP_MS);
  });
});

describe('hostile bodies', () => {
  it('takes a body with a 40 KB line of dashes as a ticket, the customer\'s words visible', async () => {
    const raw = rawMail([...base822('dashes-40k'), 'From: ann@example.org', 'Subject: Dashes'], `The printer is on fire.\r\n-------- a${'-'.repeat(40 * 1024)}x\r\nAnn`);
    const { result, longestGap } = await whilePolled(() => intake(raw));
    expect(result).toMatchObject({ outcome: 'created' });
    expect((await gateway.repos.messages.byExternalId('email', 'dashes-40k@hostile.example'))?.visibleText).toContain('The printer is on fire.');
    expect(longestGap).toBeLessThan(MAX_GAP_MS);
  });
});

describe('hostile styles, shown through the agent API', () => {
  it('shows a ticket whose HTML has crafted margin and color values, quickly and without them', async () => {
    const html = `<p style="margin: ${'1'.repeat(200)}x">Margin</p><p style="color: rgb(${' '.repeat(50_000)}">Color</p>`
      + `<p style="color: rgb(1${' ,'.repeat(25_000)}">More</p><p style="margin: 0 auto">Fine</p>`;
    const created = await intake(await buildMail({ messageId: '<styles@hostile.example>', text: undefined, html }));
    expect(created.outcome).toBe('created');
    const { result, longestGap } = await whilePolled(async () => {
      const shown: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await fetch(`${base}/api/v1/tickets/${created.ticketNumber}`, { headers: { authorization: `Bearer ${config.adminToken}` } });
        expect(res.status).toBe(200);
        shown.push((await res.json()).messages[0].html);
      }
      return shown;
    });
    expect(result[4]).toBe('<p>Margin</p><p>Color</p><p>More</p><p style="margin:0 auto">Fine</p>');
    expect(longestGap).toBeLessThan(MAX_GAP_MS);
  });
});

describe('the parse budget', () => {
  it('quarantines a mail that takes longer than the budget to parse as parse-timeout, and the next mail is taken', async () => {
    const heavy = await buildMail({ messageId: '<slow@hostile.example>', text: undefined, html: '<p>Hello <b>world</b></p>\n'.repeat(20_000) });
    const { result, longestGap } = await whilePolled(() => intake(heavy, { parseTimeoutMs: 50 }));
    expect(result).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/^parse-timeout/) });
    const item = (await gateway.repos.quarantine.list()).find((q) => q.reason.startsWith('parse-timeout'));
    expect(item).toMatchObject({ channel: 'email', source: 'test' });
    expect(longestGap).toBeLessThan(MAX_GAP_MS);
    // The same mail within the default budget is an ordinary ticket.
    expect(await intake(heavy)).toMatchObject({ outcome: 'created' });
  });
});
