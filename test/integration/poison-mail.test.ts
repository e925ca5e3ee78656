/**
 * No poison mail, bounded documents (issue 6, points 2, 3 and 7): what used to throw on every
 * attempt and block its channel (a 9.4 MB text mail, a 20 MiB HTML mail, 50,000 Cc addresses, a
 * mail that makes ingest fail) becomes a normal ticket or a quarantine item, and the channel moves
 * on. Real database; the Dovecot and LMTP cases run a real gateway.
 */
import type { Server } from 'node:http';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTICIPANTS_CAPPED } from '../../src/core/index.ts';
import { createGateway } from '../../src/gateway.ts';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { displayHtml } from '../../channels/index.ts';
import { createHttpApp } from '../../src/api/http.app.ts';
import { createLoginThrottle } from '../../src/infra/auth/login-throttle.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { openTestCore } from '../support/core.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { dovecotAvailable } from '../support/dovecot.ts';
import { startEmailGateway } from '../support/email-gateway.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';

const TOKEN = 'test-admin-token-0123456789';
const MiB = 1024 * 1024;

describe('big mail becomes a normal ticket', () => {
  let t: Awaited<ReturnType<typeof openTestCore>>;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    t = await openTestCore('bigmail');
    const app = createHttpApp({
      repos: t.core.repos, actions: t.core.actions, knowledge: t.core.knowledge, reports: t.core.reports, displayHtml, adminToken: TOKEN, publicUrl: 'http://127.0.0.1',
      agents: t.core.agents, loginThrottle: createLoginThrottle({ maxFailures: 5, windowMs: 60_000 }, createLogger('silent')), secret: 'test-secret-0123456789abcdef',
      readiness: async () => ({}), logger: createLogger('silent'),
    });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await t.drop();
  });
  const api = (path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

  it('a 9.4 MB plain-text mail: a preview in the message, the full text through the API', async () => {
    const line = 'The log of the failing job follows, line after line, as the customer pasted it.\n';
    const text = line.repeat(Math.ceil(9.4e6 / line.length));
    const raw = await buildMail({ messageId: '<huge-text@example.org>', subject: 'Huge log', text, from: 'logs@example.org' });
    const result = await t.intake(raw);
    expect(result).toMatchObject({ outcome: 'created', ticketNumber: expect.any(Number) });
    const stored = await t.core.repos.messages.byExternalId('email', 'huge-text@example.org');
    expect(Buffer.byteLength(stored!.text)).toBeLessThanOrEqual(256 * 1024);
    expect(text.startsWith(stored!.text)).toBe(true);

    const ticket = await (await api(`/api/v1/tickets/${result.ticketNumber}`)).json();
    const [message] = ticket.messages;
    expect(message.body.truncated).toBe(true);
    const full = await fetch(message.body.textUrl.replace('http://127.0.0.1', base), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toMatch(/^text\/plain/);
    // Line endings are the one thing mail transport may change.
    expect((await full.text()).replace(/\r\n/g, '\n')).toBe(text);
  });

  it('a 20 MiB HTML mail: a preview in the message, the full HTML through the API', async () => {
    const para = '<p>Quarterly report row with figures 1234567890 and a long explanation of each.</p>\n';
    const html = `<html><body>${para.repeat(Math.ceil((20 * MiB) / para.length))}</body></html>`;
    const raw = await buildMail({ messageId: '<huge-html@example.org>', subject: 'Huge report', html, text: undefined, from: 'reports@example.org' });
    const result = await t.intake(raw);
    expect(result.outcome).toBe('created');
    const stored = await t.core.repos.messages.byExternalId('email', 'huge-html@example.org');
    expect(Buffer.byteLength(stored!.html!)).toBeLessThanOrEqual(256 * 1024);
    const ticket = await (await api(`/api/v1/tickets/${result.ticketNumber}`)).json();
    const [message] = ticket.messages;
    expect(message.body.htmlUrl).toBeTruthy();
    const full = await fetch(message.body.htmlUrl.replace('http://127.0.0.1', base), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(full.status).toBe(200);
    expect(full.headers.get('content-disposition')).toMatch(/attachment/);
    // MIME ends the part with a line break; everything before it is the HTML as sent.
    expect((await full.text()).replace(/\r\n/g, '\n').replace(/\n$/, '')).toBe(html);
  });

  it('50,000 Cc addresses: a ticket with capped participants, flagged, the rest recorded', async () => {
    const cc = Array.from({ length: 50_000 }, (_, i) => `person${i}@cc.example.org`);
    const raw = await buildMail({ messageId: '<many-cc@example.org>', subject: 'Everyone in copy', cc, from: 'loud@example.org' });
    const result = await t.intake(raw);
    expect(result.outcome).toBe('created');
    const ticket = await t.core.repos.tickets.byNumber(result.ticketNumber!);
    expect(ticket!.participantIds.length).toBeLessThanOrEqual(50);
    expect(ticket!.participantIds.length).toBeGreaterThan(1);
    expect(ticket!.flags).toContain(PARTICIPANTS_CAPPED);
    const event = await t.core.models.TicketEvent.findOne({ ticketId: ticket!.id, type: 'participants.capped' }).lean();
    expect((event?.data as { leftOut: number }).leftOut).toBe(50_000 - (ticket!.participantIds.length - 1));
    const stored = await t.core.repos.messages.byExternalId('email', 'many-cc@example.org');
    expect(stored!.cc.length).toBeLessThanOrEqual(100);
    expect(stored!.recipientCounts).toMatchObject({ cc: 50_000 });
    // The raw mail keeps every address.
    expect(stored!.rawBlobId).toBeTruthy();
  });
});

describe('a mail whose ingest fails', () => {
  it('is retried, then quarantined after the configured attempts, leaving no ticket behind', async () => {
    const t = await openTestCore('flaky', { HELPDESK_CRASH_POINTS: 'flaky@ingest.before-message-insert:3', MAIL_MAX_INGEST_ATTEMPTS: '3' });
    try {
      const raw = await buildMail({ messageId: '<flaky@example.org>', subject: 'Always fails', from: 'flaky@example.org' });
      await expect(t.intake(raw)).rejects.toMatchObject({ code: 'E_TRANSIENT' });
      await expect(t.intake(raw)).rejects.toMatchObject({ code: 'E_TRANSIENT' });
      const third = await t.intake(raw);
      expect(third).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/failed 3 times.*injected fault/) });
      const held = await t.core.repos.quarantine.list('held');
      expect(held).toHaveLength(1);
      expect(held[0]!.rawBlobId).toBeTruthy();
      expect(await t.core.models.Ticket.countDocuments()).toBe(0); // no ticket without its message
      expect(await t.core.models.Message.countDocuments()).toBe(0);
      // The count is durable: it lives in the database under the message's key.
      expect(await t.core.models.IngestAttempt.findById('email:flaky@example.org').lean()).toMatchObject({ attempts: 3 });
    } finally {
      await t.drop();
    }
  });

  it('is quarantined at once when the failure is not a database outage', async () => {
    const t = await openTestCore('fail', { HELPDESK_CRASH_POINTS: 'fail@ingest.before-message-insert:1' });
    try {
      const raw = await buildMail({ messageId: '<bug@example.org>', subject: 'Hits a bug', from: 'bug@example.org' });
      expect(await t.intake(raw)).toMatchObject({ outcome: 'quarantined', reason: expect.stringMatching(/^ingest failed: Error: injected fault/) });
      expect(await t.core.models.Ticket.countDocuments()).toBe(0);
      // Retried later (the fault is gone), it becomes a ticket as usual.
      expect((await t.intake(raw)).outcome).toBe('created');
    } finally {
      await t.drop();
    }
  });
});

describe('a reused Message-ID', () => {
  it('with different content is stored as a new, flagged message; the same mail again is a duplicate', async () => {
    const t = await openTestCore('reuse');
    try {
      const first = await buildMail({ messageId: '<reused@example.org>', subject: 'Original', text: 'First mail', from: 'a@example.org' });
      const other = await buildMail({ messageId: '<reused@example.org>', subject: 'Something else', text: 'A different mail', from: 'b@example.org' });
      expect((await t.intake(first)).outcome).toBe('created');
      const second = await t.intake(other);
      expect(second.outcome).toBe('created');
      const messages = await t.core.models.Message.find({ rfcMessageId: 'reused@example.org' }).lean();
      expect(messages).toHaveLength(2);
      const flagged = messages.find((m) => m.subject === 'Something else');
      expect(flagged?.flagged).toBe(true);
      expect(flagged?.decisions?.map((d) => d.rule)).toContain('message-id-reused');
      expect((await t.intake(other)).outcome).toBe('duplicate');
      expect((await t.intake(first)).outcome).toBe('duplicate');
    } finally {
      await t.drop();
    }
  });
});

describe('channels move past a poison mail', () => {
  it('LMTP answers 250 for a mail that is quarantined', async () => {
    const config = testConfig({
      database: { dbName: testDbName('lmtppoison') }, channels: { email: { lmtp: { host: '127.0.0.1', port: await freePort() } } },
      crashPoints: ['fail@ingest.before-message-insert:1'],
    });
    const gateway = await createGateway(config, mongoUri(), createLogger('silent'));
    await gateway.start({ listen: false });
    try {
      const port = gateway.channels.email.lmtpPort()!;
      const transport = nodemailer.createTransport({ lmtp: true, host: '127.0.0.1', port, ignoreTLS: true });
      const raw = await buildMail({ messageId: '<lmtp-poison@example.org>', from: 'p@example.org' });
      const info = await transport.sendMail({ envelope: { from: 'p@example.org', to: ['support@helpdesk.test'] }, raw });
      expect(info.response).toMatch(/^250 .*quarantined/);
      expect(await gateway.repos.quarantine.list('held')).toHaveLength(1);
      transport.close();
    } finally {
      await gateway.conn.dropDatabase().catch(() => {});
      await gateway.stop();
    }
  });
});

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'poison-mail'))('IMAP moves past a poison mail', () => {
  it('quarantines it after N attempts and the next mail in the mailbox still becomes a ticket', async () => {
    const user = 'poisonbox';
    const gw = await startEmailGateway(user, {}, { crashPoints: ['flaky@ingest.before-message-insert:3'], intake: { maxIngestAttempts: 3 } });
    try {
      const poison = await buildMail({ messageId: '<poison@example.org>', subject: 'Poison', from: 'poison@example.org' });
      await gw.dovecot.deliver({ user, raw: poison, envelopeFrom: 'poison@example.org' });
      const next = await buildMail({ messageId: '<after-poison@example.org>', subject: 'Next one', from: 'next@example.org' });
      await gw.dovecot.deliver({ user, raw: next, envelopeFrom: 'next@example.org' });
      const stored = await gw.stored('after-poison@example.org', 90_000);
      expect(stored.ticketNumber).toBe(1);
      const held = await waitUntil(async () => (await gw.gateway.repos.quarantine.list('held'))[0], 'the poison mail in quarantine');
      expect(held.reason).toMatch(/failed 3 times/);
      expect(held.source).toMatch(/^imap:INBOX:\d+:1$/);
      expect(await gw.gateway.repos.messages.byExternalId('email', 'poison@example.org')).toBeNull();
    } finally {
      await gw.stop();
    }
  }, 180_000);

  it('quarantines a mail over the size limit without downloading it into memory, and moves on', async () => {
    const user = 'bigbox';
    const gw = await startEmailGateway(user, { limits: { maxMessageBytes: 64 * 1024 } });
    try {
      const big = await buildMail({ messageId: '<too-big@example.org>', subject: 'Scan', from: 'big@example.org',
        attachments: [{ filename: 'scan.bin', content: Buffer.alloc(200 * 1024, 7) }] });
      await gw.dovecot.deliver({ user, raw: big, envelopeFrom: 'big@example.org' });
      const small = await buildMail({ messageId: '<after-big@example.org>', subject: 'Small one', from: 'small@example.org' });
      await gw.dovecot.deliver({ user, raw: small, envelopeFrom: 'small@example.org' });
      expect((await gw.stored('after-big@example.org', 90_000)).ticketNumber).toBe(1);
      const held = await waitUntil(async () => (await gw.gateway.repos.quarantine.list('held'))[0], 'the big mail in quarantine');
      expect(held.reason).toMatch(/^too-large: message is \d+ bytes, over the 65536-byte limit/);
      expect(held.size).toBeGreaterThan(200 * 1024);
      // The whole mail is kept (as the server stored it) for a retry with a higher limit.
      const kept = await gw.gateway.repos.blobs.stat(held.rawBlobId);
      expect(kept?.size).toBe(held.size);
    } finally {
      await gw.stop();
    }
  }, 180_000);
});
