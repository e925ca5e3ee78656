/**
 * Progress enquiries against a real gateway, database, SMTP peer and socket.io clients: a
 * participant of a ticket (its requester or a cc'd address) who writes "status #N" by mail gets
 * the status and our last reply at the SMTP peer, in their language; a chat visitor asking in
 * their conversation gets it as a chat line; a stranger, or a question about a ticket that does
 * not exist, gets only the normal handling of their own message. The enquiry is filed as usual.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chatConfig, collect, connectVisitor, issueVisitor, request, type Line } from '../support/chat.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { countOutbox } from '../support/outbox.ts';

const AGENT = { id: 'agent:test', name: 'Dana' };

describe('progress enquiries', () => {
  let gateway: Gateway;
  let sink: SmtpSink;
  let base: string;
  const sockets: Socket[] = [];
  let n = 0;
  const mail = async (from: string, subject: string, text: string, extra: Record<string, unknown> = {}) => {
    n += 1;
    const result = await gateway.channels.email.intake(await buildMail({ messageId: `<enq-${n}@example.org>`, from, subject, text, ...extra }), 'test', gateway.ingest);
    expect(['created', 'appended']).toContain(result.outcome);
    return result.ticketNumber!;
  };
  const mailsTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
  const enquiryCount = () => countOutbox(gateway.conn.db!, { kind: 'enquiry' });

  beforeAll(async () => {
    sink = await startSmtpSink();
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('enquiry') }, ...chatConfig(), outbox: { pollIntervalMs: 200 },
      channels: { ...(chatConfig().channels as object), email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
    }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    // Ticket #1: Ann asks, Carl is in Cc, an agent has answered.
    expect(await mail('Ann <ann@example.org>', 'VPN broken', 'It drops every hour.', { cc: 'carl@example.org' })).toBe(1);
    await gateway.actions.reply(1, 'first-answer', 'Please restart the router and tell us if it helps.', AGENT);
    await waitUntil(() => mailsTo('ann@example.org').length >= 2, 'ack and reply to Ann');
  });
  afterEach(() => { while (sockets.length) sockets.pop()!.close(); });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
    await sink.stop();
  });

  it('the requester asking by mail gets the status and our last reply in the thread of that ticket; the enquiry is filed', async () => {
    const filed = await mail('Ann <ann@example.org>', 'Any news?', 'Hi, what is the status of ticket #1? Thanks');
    expect(filed).not.toBe(1);
    const answer = await waitUntil(() => mailsTo('ann@example.org').find((m) => m.parsed.subject?.startsWith('[#1] Status of your request')), 'the enquiry answer');
    expect(answer.parsed.subject).toBe('[#1] Status of your request: VPN broken');
    expect(answer.parsed.text).toContain('is waiting for your reply');
    expect(answer.parsed.text).toContain('Please restart the router and tell us if it helps.');
    expect(answer.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(answer.parsed.inReplyTo).toBe('<enq-2@example.org>');
    // The enquiry itself is a normal ticket with its normal acknowledgement.
    const own = await (await fetch(`${base}/api/v1/tickets/${filed}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } })).json();
    expect(own.messages[0].text).toContain('what is the status of ticket #1');
    await waitUntil(() => mailsTo('ann@example.org').find((m) => m.parsed.subject?.includes(`[#${filed}]`)), 'the acknowledgement of the enquiry ticket');
  });

  it('a cc\'d participant asking in Indonesian gets the answer in Indonesian', async () => {
    await mail('carl@example.org', 'Tanya', 'Bagaimana status tiket #1?', { headers: { 'Content-Language': 'id' } });
    const answer = await waitUntil(() => mailsTo('carl@example.org').find((m) => m.parsed.subject?.startsWith('[#1] Status permintaan Anda')), 'the Indonesian answer');
    expect(answer.parsed.text).toContain('menunggu balasan Anda');
    expect(answer.parsed.text).toContain('Balasan terakhir kami');
  });

  it('a stranger, or a ticket that does not exist, gets only the normal acknowledgement and learns nothing', async () => {
    const before = await enquiryCount();
    const eve = await mail('eve@example.org', 'status #1', 'status #1');
    const ghost = await mail('ann@example.org', 'status', 'status #999');
    await waitUntil(() => mailsTo('eve@example.org').length >= 1, 'the acknowledgement to Eve');
    await waitUntil(() => mailsTo('ann@example.org').find((m) => m.parsed.subject?.includes(`[#${ghost}]`)), 'the acknowledgement to Ann');
    expect(await enquiryCount()).toBe(before);
    const toEve = mailsTo('eve@example.org');
    expect(toEve).toHaveLength(1);
    expect(toEve[0]!.parsed.subject).toContain(`[#${eve}]`);
    expect(`${toEve[0]!.parsed.subject} ${toEve[0]!.parsed.text}`).not.toMatch(/VPN|router|waiting for your reply|Status of your request/);
  });

  it('a chat visitor asking about their own ticket gets a chat line; another visitor gets none', async () => {
    const owner = (await issueVisitor(base, { locale: 'id' })).body;
    const socket = await connectVisitor(base, owner.visitorToken);
    sockets.push(socket);
    const first = await request<{ ok: boolean; ticketNumber: number }>(socket, 'message:send', { clientId: 'c1', text: 'Printer kantor macet' });
    const number = first.ticketNumber;
    await gateway.actions.reply(number, 'chat-answer', 'Coba matikan lalu nyalakan lagi.', AGENT);
    const lines = collect<Line>(socket, 'message');
    await request(socket, 'message:send', { clientId: 'c2', text: `bagaimana status tiket #${number}?` });
    const line = await waitUntil(() => lines.find((l) => l.author === 'system' && l.text.includes(`Tiket #${number}`)), 'the enquiry line');
    // The question itself reopened the ticket (a customer wrote): it is being worked on.
    expect(line.text).toContain('sedang ditangani');
    expect(line.text).toContain('Coba matikan lalu nyalakan lagi.');

    const stranger = (await issueVisitor(base)).body;
    const other = await connectVisitor(base, stranger.visitorToken);
    sockets.push(other);
    const before = await enquiryCount();
    const ack = await request<{ ok: boolean; ticketNumber: number }>(other, 'message:send', { clientId: 's1', text: `status #${number}` });
    expect(ack.ok).toBe(true);
    expect(ack.ticketNumber).not.toBe(number);
    expect(await enquiryCount()).toBe(before);
  });
});
