/**
 * Status updates against the real gateway, database and an SMTP peer: a status change that is
 * switched on in config notifies the customer on their channel, in the ticket's language: an email
 * or form ticket by a mail in its thread, a chat ticket by a line in the conversation with a mail
 * when the visitor is away. A status that is switched off, or the same status again, sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, type ApiCaller } from '../support/api-client.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../support/smtp-sink.ts';

const inbound = (channel: 'chat' | 'webform', externalId: string, address: string, subject: string): InboundMessage => ({
  channel, externalId, from: { name: 'Rani', address, channelUserId: `u_${externalId}` }, to: [], cc: [], subject, text: 'Help please',
  visibleText: 'Help please', attachments: [], receivedAt: new Date(), classification: 'human', classificationReason: 'test',
  threadHints: { replyTokens: [], references: [], ...(channel === 'chat' ? { conversationId: `conv-${externalId}` } : {}) },
});

describe('status updates to the customer', () => {
  let sink: SmtpSink;
  let gateway: Gateway;
  let api: ApiCaller;
  /** Status mails (acknowledgements aside) to one address. */
  const statusMails = (to: string) => sink.messages.filter((m: SinkMessage) => m.envelope.to.includes(to) && !/received|terima/i.test(m.parsed.subject ?? ''));
  const waitForStatusMail = (to: string, count = 1): Promise<SinkMessage[]> =>
    waitUntil(() => (statusMails(to).length >= count ? statusMails(to) : null), `${count} status mail(s) to ${to}`, 20_000);

  beforeAll(async () => {
    sink = await startSmtpSink();
    const config = testConfig({
      database: { dbName: testDbName('statusupd') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } }, chat: { offline: { digestDelayMs: 0, digestPollIntervalMs: 100 } } },
      outbox: { pollIntervalMs: 100 },
    }, { STATUS_UPDATES: 'open,resolved' });
    gateway = await createGateway(config, mongoUri(), createLogger('silent'));
    await gateway.start();
    api = bearerClient(`http://127.0.0.1:${gateway.httpPort()}`, 'test-admin-token-0123456789');
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
    await sink.stop();
  });

  it('mails an email ticket\'s customer in the thread, in English, for a status that is on', async () => {
    const created = await gateway.channels.email.intake(await buildMail({ messageId: '<st-en@example.org>', from: 'Ed <ed@example.org>', subject: 'Laptop will not boot' }), 'test', gateway.ingest);
    const n = created.ticketNumber!;
    expect((await api('PATCH', `/tickets/${n}`, { status: 'resolved' })).status).toBe(200);
    const [mail] = await waitForStatusMail('ed@example.org');
    expect(mail!.parsed.subject).toBe(`[#${n}] Your request has been resolved: Laptop will not boot`);
    expect(mail!.parsed.inReplyTo).toBe('<st-en@example.org>');
    expect(mail!.parsed.references).toContain('<st-en@example.org>');
    expect(mail!.parsed.text).toContain('Hello Ed,');
    expect(mail!.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    // The agent sees the update on the ticket, with its delivery state.
    const detail = await waitUntil(async () => {
      const body = await (await api('GET', `/tickets/${n}`)).json();
      return body.messages.find((m: { delivery?: { status: string }; subject: string }) => m.subject.includes('resolved') && m.delivery?.status === 'sent') && body;
    }, 'the status mail shown as sent');
    expect(detail.status).toBe('resolved');
  });

  it('writes in Indonesian on an Indonesian ticket', async () => {
    const created = await gateway.channels.email.intake(await buildMail({
      messageId: '<st-id@example.org>', from: 'Sari <sari@example.org>', subject: 'Printer rusak', headers: { 'Content-Language': 'id' },
    }), 'test', gateway.ingest);
    expect((await api('PATCH', `/tickets/${created.ticketNumber}`, { status: 'open' })).status).toBe(200);
    const [mail] = await waitForStatusMail('sari@example.org');
    expect(mail!.parsed.subject).toBe(`[#${created.ticketNumber}] Kami sedang menangani permintaan Anda: Printer rusak`);
    expect(mail!.parsed.text).toContain('Halo Sari,');
  });

  it('sends nothing for a status that is off, nor for the same status again', async () => {
    const created = await gateway.channels.email.intake(await buildMail({ messageId: '<st-off@example.org>', from: 'otto@example.org', subject: 'Mouse' }), 'test', gateway.ingest);
    const n = created.ticketNumber!;
    await api('PATCH', `/tickets/${n}`, { status: 'pending' });
    await api('PATCH', `/tickets/${n}`, { status: 'closed' });
    await api('PATCH', `/tickets/${n}`, { status: 'open' });
    await waitForStatusMail('otto@example.org');
    await api('PATCH', `/tickets/${n}`, { status: 'open' });
    await gateway.dispatcher.drain();
    const ticketId = (await gateway.repos.tickets.byNumber(n))!.id;
    const queued = (await gateway.repos.outbox.listByTicket(ticketId)).filter((e) => e.kind === 'status');
    expect(queued.map((e) => (e.channel === 'email' ? e.subject : e.text))).toEqual([`[#${n}] We are working on your request: Mouse`]);
    expect(statusMails('otto@example.org')).toHaveLength(1);
  });

  it('mails a web form ticket\'s customer', async () => {
    const created = await gateway.ingest.ingest(inbound('webform', 'form-1', 'rani@example.org', 'Account locked'));
    expect((await api('PATCH', `/tickets/${created.ticketNumber}`, { status: 'resolved' })).status).toBe(200);
    const [mail] = await waitForStatusMail('rani@example.org');
    expect(mail!.parsed.subject).toBe(`[#${created.ticketNumber}] Your request has been resolved: Account locked`);
  });

  it('puts a line into a chat ticket\'s conversation; the visitor who is away gets it in the digest mail', async () => {
    const created = await gateway.ingest.ingest(inbound('chat', 'chat-1', 'vic@example.org', 'Chat about billing'));
    const n = created.ticketNumber!;
    expect((await api('PATCH', `/tickets/${n}`, { status: 'resolved' })).status).toBe(200);
    const line = `[#${n}] Your request has been resolved: Chat about billing`;
    const [mail] = await waitForStatusMail('vic@example.org');
    expect(mail!.parsed.text).toContain(line);
    const ticketId = (await gateway.repos.tickets.byNumber(n))!.id;
    const entries = await gateway.repos.outbox.listByTicket(ticketId);
    expect(entries.find((e) => e.kind === 'status')).toMatchObject({ channel: 'chat', status: 'undelivered', text: line });
  });
});
