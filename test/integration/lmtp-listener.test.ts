/**
 * The LMTP listener as an MTA (Postfix `lmtp:` transport) uses it: a real gateway in process, mail
 * delivered with nodemailer in LMTP mode (and one bare dialog to see every reply line), acks to a
 * real SMTP sink, a real database. LMTP answers once per accepted recipient, after ingest resolved.
 */
import { connect } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { connectMongo } from '../../src/infra/db/mongo.connection.ts';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { countOutbox } from '../support/outbox.ts';
import { stopGateway } from '../support/teardown.ts';

const SUPPORT = 'support@helpdesk.test';
const MAX_BYTES = 64 * 1024;

interface LmtpError extends Error { code?: string; responseCode?: number; response?: string; rejected?: string[] }
interface Rejection { recipient?: string; responseCode?: number; response?: string }

async function startGateway(label: string, email: Record<string, unknown> = {}): Promise<{ gateway: Gateway; port: number }> {
  const config = testConfig({
    database: { dbName: testDbName(label) },
    channels: { email: { lmtp: { host: '127.0.0.1', port: await freePort() }, limits: { maxMessageBytes: MAX_BYTES }, ...email } },
    ownAddresses: ['billing@helpdesk.test'],
    outbox: { pollIntervalMs: 200 },
  });
  const gateway = await createGateway(config, mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  await gateway.start({ listen: false });
  const port = gateway.channels.email.lmtpPort();
  if (!port) throw new Error('the LMTP listener did not start');
  return { gateway, port };
}

/** A bare LMTP session that returns every reply line (nodemailer reports only the last DATA reply). */
async function lmtpDialog(port: number, from: string, to: string[], raw: Buffer): Promise<{ rcpt: string[]; data: string[] }> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  const lines: string[] = [];
  let buffer = '';
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 2);
    }
    wake?.();
  });
  const reply = async (): Promise<string> => {
    for (;;) {
      while (!lines.length) await new Promise<void>((resolve) => { wake = resolve; });
      const line = lines.shift()!;
      if (line[3] !== '-') return line; // the last line of a multi-line reply
    }
  };
  await reply();
  socket.write('LHLO client.test\r\n');
  await reply();
  socket.write(`MAIL FROM:<${from}>\r\n`);
  await reply();
  const rcpt: string[] = [];
  for (const address of to) {
    socket.write(`RCPT TO:<${address}>\r\n`);
    rcpt.push(await reply());
  }
  socket.write('DATA\r\n');
  expect(await reply()).toMatch(/^354 /);
  socket.write(`${raw.toString('utf8').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..').replace(/(\r\n)?$/, '\r\n')}.\r\n`);
  const data: string[] = [];
  for (let i = 0; i < rcpt.filter((r) => r.startsWith('250')).length; i++) data.push(await reply());
  socket.end('QUIT\r\n');
  return { rcpt, data };
}

describe('LMTP listener', () => {
  let sink: SmtpSink;
  let gateway: Gateway;
  let port: number;
  let transport: Transporter;
  const send = (to: string | string[], raw: Buffer, from = 'customer@example.org') =>
    transport.sendMail({ envelope: { from, to }, raw });
  const counts = async () => ({
    tickets: await gateway.models.Ticket.countDocuments(),
    inbound: await gateway.models.Message.countDocuments({ direction: 'inbound' }),
    outbox: await countOutbox(gateway.conn.db!),
    quarantine: await gateway.conn.collection('quarantine').countDocuments(),
  });

  beforeAll(async () => {
    sink = await startSmtpSink();
    ({ gateway, port } = await startGateway('lmtp', { smtp: { host: sink.host, port: sink.port, tls: false } }));
    transport = nodemailer.createTransport({ host: '127.0.0.1', port, lmtp: true, ignoreTLS: true });
  });

  afterAll(async () => {
    transport?.close();
    await stopGateway(gateway, sink);
  });

  it('stores a mail to the support address as a ticket, answers 250 after ingest and acknowledges it', async () => {
    const raw = await buildMail({ messageId: '<lmtp-first@example.org>', subject: 'Pushed by the MTA', from: 'Ann <ann@example.org>' });
    const info = await send(SUPPORT, raw, 'ann@example.org');
    expect(info.accepted).toEqual([SUPPORT]);
    expect(info.rejected).toEqual([]);
    expect(info.response).toBe('250 2.6.0 OK created ticket #1');
    // Confirmed late: the ticket exists the moment the MTA has its 250.
    const ticket = await gateway.repos.tickets.byNumber(1);
    expect(ticket?.subject).toBe('Pushed by the MTA');

    const stored = await gateway.repos.messages.byExternalId('email', 'lmtp-first@example.org');
    const bytes = Buffer.concat(await (await gateway.repos.blobs.get(stored!.rawBlobId!)).toArray());
    expect(bytes.toString().startsWith(`Return-Path: <ann@example.org>\r\nDelivered-To: ${SUPPORT}\r\n`)).toBe(true);

    const [ack] = await sink.waitFor(1);
    expect(ack!.envelope.to).toEqual(['ann@example.org']);
    expect(ack!.parsed.subject).toMatch(/^\[#1\] /);
    expect((await gateway.readiness()).email).toEqual({ ok: true, detail: expect.stringContaining(`lmtp listening on 127.0.0.1:${port}`) });
  });

  it('answers 250 to the same mail again and stores nothing new', async () => {
    const before = await counts();
    const raw = await buildMail({ messageId: '<lmtp-first@example.org>', subject: 'Pushed by the MTA', from: 'Ann <ann@example.org>' });
    const info = await send(SUPPORT, raw, 'ann@example.org');
    expect(info.response).toBe('250 2.6.0 OK duplicate ticket #1');
    expect(await counts()).toEqual(before);
  });

  it('refuses recipients that are not ours with 550 5.1.1 and stores nothing', async () => {
    const before = await counts();
    const raw = await buildMail({ messageId: '<lmtp-stranger@example.org>', to: 'someone@elsewhere.test' });
    for (const stranger of ['someone@elsewhere.test', 'sales@helpdesk.test', 'support@helpdesk.test.evil.test', 'xsupport+t@helpdesk.test']) {
      const err: LmtpError = await send(stranger, raw).then(() => { throw new Error(`${stranger} was accepted`); }, (e: LmtpError) => e);
      expect(err.code).toBe('EENVELOPE');
      expect(err.responseCode).toBe(550);
      expect(err.rejected).toEqual([stranger]);
      expect(err.response).toBe(`550 5.1.1 unknown recipient <${stranger}>`);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers each recipient of a mixed envelope, and ingests the mail once', async () => {
    const before = await counts();
    const raw = await buildMail({ messageId: '<lmtp-mixed@example.org>', subject: 'Mixed envelope', from: 'bob@example.org', cc: 'billing@helpdesk.test' });
    const info = await send(['support+anything@helpdesk.test', 'nobody@example.net', 'Billing@HelpDesk.test'], raw, 'bob@example.org');
    expect(info.accepted).toEqual(['support+anything@helpdesk.test', 'Billing@helpdesk.test']); // nodemailer lowercases domains
    expect(info.rejected).toEqual(['nobody@example.net']);
    expect((info as { rejectedErrors?: Rejection[] }).rejectedErrors?.map((e) => e.responseCode)).toEqual([550]);
    expect(info.response).toBe('250 2.6.0 OK created ticket #2');

    // Every line, as the MTA reads it: one RCPT reply per recipient, one DATA reply per accepted one.
    const again = await lmtpDialog(port, 'bob@example.org', ['support+x@helpdesk.test', 'nobody@example.net', SUPPORT], raw);
    expect(again.rcpt).toEqual(['250 2.1.5 Accepted', '550 5.1.1 unknown recipient <nobody@example.net>', '250 2.1.5 Accepted']);
    expect(again.data).toEqual(['250 2.6.0 OK duplicate ticket #2', '250 2.6.0 OK duplicate ticket #2']);
    expect(await counts()).toEqual({ ...before, tickets: before.tickets + 1, inbound: before.inbound + 1, outbox: before.outbox + 1 });
  });

  it('answers 250 "quarantined" to mail it cannot parse, and keeps its bytes', async () => {
    const broken = Buffer.from([
      'From: broken@example.org', `To: ${SUPPORT}`, 'Subject: Broken multipart', 'Message-ID: <lmtp-broken@example.org>',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed', '', 'This body claims to be multipart but has no boundary.', '',
    ].join('\r\n'));
    const before = await counts();
    const info = await send(SUPPORT, broken, 'broken@example.org');
    expect(info.accepted).toEqual([SUPPORT]);
    expect(info.response).toMatch(/^250 2\.6\.0 OK quarantined: .*boundary/);
    const held = await gateway.conn.collection('quarantine').findOne({ source: 'lmtp' });
    expect(held?.reason).toMatch(/boundary/);
    const rawMail = await new Promise<Buffer>((resolve, reject) => {
      void gateway.repos.blobs.get(held!.rawBlobId).then((s) => { const parts: Buffer[] = []; s.on('data', (c: Buffer) => parts.push(c)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject); }, reject);
    });
    expect(rawMail.toString()).toContain(broken.toString());
    expect(await counts()).toEqual({ ...before, quarantine: before.quarantine + 1 });
  });

  it('refuses a message over the size limit with 552 and stores nothing', async () => {
    const before = await counts();
    const raw = await buildMail({ messageId: '<lmtp-big@example.org>', text: 'x'.repeat(MAX_BYTES * 2) });
    const info = await send(SUPPORT, raw);
    expect(info.accepted).toEqual([]);
    expect((info as { rejectedErrors?: Rejection[] }).rejectedErrors?.map((e) => e.response)).toEqual([expect.stringMatching(/^552 5\.3\.4 /)]);
    const bare = await lmtpDialog(port, 'customer@example.org', [SUPPORT], raw);
    expect(bare.data).toEqual([expect.stringMatching(/^552 5\.3\.4 /)]);
    expect(await counts()).toEqual(before);
  });

  it('answers 451 while the store is unreachable, so the MTA retries, and stores nothing', async () => {
    const down = await startGateway('lmtpdown');
    const dbName = down.gateway.config.database.dbName;
    const check = await connectMongo(mongoUri(), dbName);
    const mta = nodemailer.createTransport({ host: '127.0.0.1', port: down.port, lmtp: true, ignoreTLS: true });
    try {
      await down.gateway.conn.close();
      const raw = await buildMail({ messageId: '<lmtp-down@example.org>', subject: 'While the store is down' });
      const info = await mta.sendMail({ envelope: { from: 'customer@example.org', to: [SUPPORT, 'support+t@helpdesk.test'] }, raw });
      expect(info.accepted).toEqual([]);
      const rejections = (info as { rejectedErrors?: Rejection[] }).rejectedErrors ?? [];
      expect(rejections.map((e) => [e.recipient, e.responseCode])).toEqual([[SUPPORT, 451], ['support+t@helpdesk.test', 451]]);
      expect(rejections[0]!.response).toMatch(/^451 4\.3\.0 try again later/);
      for (const name of ['tickets', 'messages', 'contacts', 'quarantine', 'outbox', 'outbox_done', 'blobs.files']) {
        expect(await check.collection(name).countDocuments(), name).toBe(0);
      }
    } finally {
      mta.close();
      await down.gateway.stop().catch(() => {});
      await check.dropDatabase().catch(() => {});
      await check.close();
    }
  });
});
