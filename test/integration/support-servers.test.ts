/**
 * Checks the test-support servers themselves: the private Dovecot (LMTP in, IMAP
 * out, doveadm helpers) and the in-process SMTP sink.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { dovecotAvailable, startDovecot, type DovecotServer } from '../support/dovecot.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

const inCi = process.env.CI === 'true';
const dovecotMissing = dovecotAvailable()
  ? undefined
  : 'Dovecot is not installed (/usr/sbin/dovecot missing); apt-get install -y dovecot-imapd dovecot-lmtpd';
// In CI a missing Dovecot must fail the run (startDovecot throws), locally it is skipped loudly.
const skipDovecot = Boolean(dovecotMissing) && !inCi;
if (skipDovecot) console.warn(`\n[support-servers] SKIPPING Dovecot tests: ${dovecotMissing}\n`);

const rawMessage = (subject: string): string =>
  [
    'From: Customer <customer@example.org>',
    'To: Support <support@example.test>',
    `Subject: ${subject}`,
    'Message-ID: <support-servers-test@example.org>',
    'Date: Mon, 01 Jun 2026 10:00:00 +0000',
    '',
    'Hello, my printer is on fire.',
    '',
  ].join('\r\n');

describe.skipIf(skipDovecot)('Dovecot test server', () => {
  let dovecot: DovecotServer;
  const clients: ImapFlow[] = [];

  /** A logged-in IMAP client for `user`, logged out in afterAll. */
  async function imap(user: string): Promise<ImapFlow> {
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.imapPort,
      secure: false,
      auth: { user, pass: dovecot.password },
      logger: false,
    });
    client.on('error', () => {}); // kicked clients emit errors; the test checks 'close'
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    dovecot = await startDovecot();
  }, 30_000);

  afterAll(async () => {
    for (const client of clients) if (client.usable) await client.logout().catch(() => {});
    await dovecot?.stop();
  });

  it('delivers a plus-addressed, null-sender mail by LMTP into the IMAP INBOX of the base user', async () => {
    await dovecot.deliver({
      user: 'alice',
      raw: rawMessage('LMTP test'),
      envelopeFrom: '',
      recipients: ['alice+tag@example.test'],
    });

    const client = await imap('alice');
    await client.mailboxOpen('INBOX');
    const msg = await client.fetchOne('*', { source: true });
    expect(msg).toBeTruthy();
    const source = (msg as { source: Buffer }).source.toString();
    const headers = source.slice(0, source.indexOf('\r\n\r\n'));
    expect(headers).toMatch(/^Return-Path: <>\r?$/m);
    expect(headers).toMatch(/^Delivered-To: alice\+tag@example\.test\r?$/m);
    expect(headers).toMatch(/^Subject: LMTP test\r?$/m);
  });

  it('setUidValidity changes the UIDVALIDITY that IMAP STATUS reports', async () => {
    await dovecot.deliver({ user: 'bob', raw: rawMessage('uidvalidity') });
    const uidValidityOf = async (): Promise<bigint | undefined> => {
      const status = await (await imap('bob')).status('INBOX', { uidValidity: true });
      return status ? status.uidValidity : undefined;
    };
    const before = await uidValidityOf();
    expect(before).toBeTypeOf('bigint');

    const next = Number(before) + 1000;
    await dovecot.setUidValidity('bob', 'INBOX', next);
    expect(await uidValidityOf()).toBe(BigInt(next));
  });

  it('kick drops the IMAP connections of a user', async () => {
    const client = await imap('carol');
    await client.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));

    expect(await dovecot.kick('carol')).toBe(true);
    await closed;
    expect(client.usable).toBe(false);
    expect(await dovecot.kick('nobody-connected')).toBe(false);
  });
});

describe('SMTP sink', () => {
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink({ rejectRecipients: (addr) => addr.startsWith('bounce@') });
  });

  afterAll(async () => {
    await sink?.stop();
  });

  it('records a sent mail with its envelope and parsed content', async () => {
    const transport = nodemailer.createTransport({ host: sink.host, port: sink.port });
    await transport.sendMail({
      envelope: { from: 'helpdesk@example.test', to: ['customer@example.org', 'cc@example.org'] },
      from: 'Help Desk <helpdesk@example.test>',
      to: 'customer@example.org',
      subject: 'Re: printer',
      text: 'We are on it.',
    });
    transport.close();

    const [msg] = await sink.waitFor(1);
    expect(msg!.envelope).toEqual({ from: 'helpdesk@example.test', to: ['customer@example.org', 'cc@example.org'] });
    expect(msg!.parsed.subject).toBe('Re: printer');
    expect(msg!.raw.toString()).toContain('We are on it.');
  });

  it('honours failNext and rejectRecipients, and waitFor times out with a count', async () => {
    const transport = nodemailer.createTransport({ host: sink.host, port: sink.port });
    const send = () =>
      transport.sendMail({ envelope: { from: '', to: ['x@example.org'] }, raw: rawMessage('temp fail') });

    sink.setFailNext(1);
    await expect(send()).rejects.toMatchObject({ responseCode: 451 });
    await send(); // the next one goes through, with the null sender
    await expect(
      transport.sendMail({ envelope: { from: 'a@example.test', to: ['bounce@example.org'] }, raw: rawMessage('r') }),
    ).rejects.toMatchObject({ responseCode: 550 });
    transport.close();

    const messages = await sink.waitFor(2);
    expect(messages[1]!.envelope).toEqual({ from: '', to: ['x@example.org'] });
    await expect(sink.waitFor(3, 200)).rejects.toThrow('expected 3 message(s) within 200 ms, 2 arrived');
  });
});
