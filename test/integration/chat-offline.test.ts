/**
 * The gone visitor, against a real gateway, FerretDB and an SMTP sink, with real socket.io clients:
 * the visitor leaves an address and goes; the agent answers in several lines; after the delay ONE
 * digest mail carries them all with the reply token, also when the gateway restarted meanwhile; the
 * customer's mail answer threads into the same ticket and is in the chat when the visitor is back;
 * a transcript goes out in the visitor's language, a few an hour at most.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const SITE = 'shop';
const DELAY_MS = 1500;

interface Line { seq: number; author: string; text: string; agentName?: string }

describe('chat offline: digest, email follow-up and transcript', () => {
  let sink: SmtpSink;
  let gateway: Gateway;
  const dbName = testDbName('chat_offline');
  const sockets: Socket[] = [];

  const config = (smtp: SmtpSink) => testConfig({
    database: { dbName },
    channels: {
      email: { smtp: { host: smtp.host, port: smtp.port, tls: false } },
      chat: { sites: [{ key: SITE, origins: ['https://shop.example'] }], offline: { digestDelayMs: DELAY_MS, digestPollIntervalMs: 100 } },
    },
    outbox: { pollIntervalMs: 100 },
  });
  const start = async () => {
    const g = await createGateway(config(sink), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await g.start();
    return g;
  };
  const base = () => `http://127.0.0.1:${gateway.httpPort()}`;

  async function newVisitor(locale: 'en' | 'id'): Promise<{ token: string; visitorId: string }> {
    const res = await fetch(`${base()}/api/v1/chat/visitors`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ siteKey: SITE, locale }),
    });
    expect(res.status).toBe(201);
    const body = await res.json() as { visitorToken: string; visitorId: string };
    return { token: body.visitorToken, visitorId: body.visitorId };
  }

  async function visitorSocket(token: string, lastSeq = 0): Promise<{ socket: Socket; lines: Line[] }> {
    const lines: Line[] = [];
    const socket = connect(`${base()}/chat`, { auth: { visitorToken: token, lastSeq }, transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('message', (m: Line) => lines.push(m));
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    return { socket, lines };
  }

  async function agentSocket(): Promise<Socket> {
    const socket = connect(`${base()}/agents`, { auth: { token: gateway.config.adminToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('connect_error', reject); });
    return socket;
  }

  const ask = <T>(socket: Socket, event: string, payload: unknown) => socket.timeout(10_000).emitWithAck(event, payload) as Promise<T>;

  /** A visitor who left an address, wrote one line and went away; the agent then answers twice. */
  async function goneVisitorAnsweredTwice(email: string, locale: 'en' | 'id') {
    const visitor = await newVisitor(locale);
    const { socket } = await visitorSocket(visitor.token);
    expect(await ask(socket, 'followup:email', { email })).toEqual({ ok: true });
    const sent = await ask<{ ok: boolean; seq: number; ticketNumber: number }>(socket, 'message:send', { clientId: 'first', text: 'My order never arrived.' });
    expect(sent.ok).toBe(true);
    socket.disconnect();
    const agent = await agentSocket();
    expect(await ask<{ ok: boolean }>(agent, 'conversation:join', { ticketNumber: sent.ticketNumber })).toMatchObject({ ok: true });
    for (const [clientId, text] of [['a1', 'Sorry to hear that, let me check.'], ['a2', 'It ships again tomorrow.']]) {
      expect(await ask<{ ok: boolean }>(agent, 'message:send', { ticketNumber: sent.ticketNumber, clientId, text })).toMatchObject({ ok: true });
    }
    agent.disconnect();
    return { visitor, ticketNumber: sent.ticketNumber, lastSeq: sent.seq };
  }

  beforeAll(async () => {
    sink = await startSmtpSink();
    gateway = await start();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await stopGateway(gateway, sink);
  });

  it('mails ONE digest of the lines a gone visitor missed, after the delay, durable across a restart; the mail answer threads back into the chat', async () => {
    const { visitor, ticketNumber } = await goneVisitorAnsweredTwice('gone@example.org', 'en');
    // The digest is a stored record, not a timer: a gateway stopped before it is due still sends it after a restart.
    const ticket = await gateway.repos.tickets.byNumber(ticketNumber);
    await waitUntil(() => gateway.repos.chatFollowUps.pendingDigest(ticket!.id), 'the digest scheduled', 10_000, 50);
    await gateway.stop();
    expect(sink.messages.filter((m) => m.envelope.to.includes('gone@example.org'))).toEqual([]);
    gateway = await start();
    const [digest] = await waitUntil(() => {
      const mails = sink.messages.filter((m) => m.envelope.to.includes('gone@example.org'));
      return mails.length ? mails : null;
    }, 'the digest mail', 20_000, 100);
    expect(digest!.parsed.subject).toContain(`[#${ticketNumber}]`);
    expect(digest!.parsed.text).toContain('Sorry to hear that, let me check.');
    expect(digest!.parsed.text).toContain('It ships again tomorrow.');
    const replyTo = (digest!.parsed.replyTo?.value ?? [])[0]?.address ?? '';
    expect(replyTo).toMatch(/^support\+t\d+k[0-9a-z][a-z2-7]+@helpdesk\.test$/);
    // Another delay later there is still one mail, not one per line.
    await new Promise((r) => setTimeout(r, DELAY_MS + 500));
    expect(sink.messages.filter((m) => m.envelope.to.includes('gone@example.org'))).toHaveLength(1);

    // The visitor is back in the chat when the customer's mail answer to the digest arrives.
    const back = await visitorSocket(visitor.token, 0);
    await waitUntil(() => back.lines.length === 3, 'the conversation so far', 10_000, 100);
    const answer = await buildMail({
      from: 'gone@example.org', to: replyTo, subject: `Re: ${digest!.parsed.subject}`, messageId: '<answer-1@example.org>',
      inReplyTo: digest!.parsed.messageId, text: 'Tomorrow is fine, thank you!',
    });
    const result = await gateway.channels.email.intake(answer, 'pipe', gateway.ingest);
    expect(result).toMatchObject({ outcome: 'appended', ticketNumber });
    const stored = await gateway.repos.messages.byExternalId('email', 'answer-1@example.org');
    expect(stored?.flagged).toBeFalsy();

    // It threads into the chat's ticket and reaches the visitor live: the whole conversation, the mail included, once.
    await waitUntil(() => back.lines.some((l) => l.text === 'Tomorrow is fine, thank you!'), 'the mail line in the chat', 10_000, 100);
    expect(back.lines.map((l) => [l.author, l.text])).toEqual([
      ['visitor', 'My order never arrived.'],
      ['agent', 'Sorry to hear that, let me check.'],
      ['agent', 'It ships again tomorrow.'],
      ['visitor', 'Tomorrow is fine, thank you!'],
    ]);
    const history = await ask<{ ok: boolean; messages: Line[] }>(back.socket, 'history', { afterSeq: 0 });
    expect(history.messages.map((l) => l.text)).toContain('Tomorrow is fine, thank you!');
  });

  it('sends no digest to a visitor who left no address, and the lines still wait in the chat', async () => {
    const before = sink.messages.length;
    const visitor = await newVisitor('en');
    const { socket } = await visitorSocket(visitor.token);
    const sent = await ask<{ ticketNumber: number }>(socket, 'message:send', { clientId: 'q', text: 'Anyone there?' });
    socket.disconnect();
    const agent = await agentSocket();
    await ask(agent, 'conversation:join', { ticketNumber: sent.ticketNumber });
    await ask(agent, 'message:send', { ticketNumber: sent.ticketNumber, clientId: 'r', text: 'Yes, here now.' });
    await new Promise((r) => setTimeout(r, DELAY_MS + 800));
    expect(sink.messages.length).toBe(before);
    const back = await visitorSocket(visitor.token, 0);
    await waitUntil(() => back.lines.some((l) => l.text === 'Yes, here now.'), 'the missed line on return', 10_000, 100);
  });

  it('mails a transcript in the visitor\'s language on request, and asks for an address first when there is none', async () => {
    const visitor = await newVisitor('id');
    const { socket } = await visitorSocket(visitor.token);
    expect(await ask(socket, 'transcript:request', {})).toEqual({ ok: false, code: 'no-conversation' });
    await ask(socket, 'message:send', { clientId: 'x1', text: 'Halo, paket saya belum datang.' });
    expect(await ask(socket, 'transcript:request', {})).toEqual({ ok: false, code: 'no-email' });
    expect(await ask(socket, 'followup:email', { email: 'not an address' })).toEqual({ ok: false, code: 'invalid-payload' });
    expect(await ask(socket, 'followup:email', { email: 'budi@example.id' })).toEqual({ ok: true });
    expect(await ask(socket, 'transcript:request', {})).toEqual({ ok: true, email: 'budi@example.id' });
    const [mail] = await waitUntil(() => {
      const mails = sink.messages.filter((m) => m.envelope.to.includes('budi@example.id'));
      return mails.length ? mails : null;
    }, 'the transcript mail', 15_000, 100);
    expect(mail!.parsed.subject).toContain('Transkrip obrolan Anda');
    expect(mail!.parsed.text).toContain('Halo, paket saya belum datang.');
    expect(mail!.parsed.text).toMatch(/^Anda, /m);
    // An address is only typed, never verified: a few transcripts an hour, then no more mail.
    expect(await ask(socket, 'transcript:request', {})).toEqual({ ok: false, code: 'rate-limited' });
  });
});
