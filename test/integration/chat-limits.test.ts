/**
 * Chat limits against a real gateway: per-visitor and per-socket rate limits and text and packet
 * size caps answer with their codes (or close the connection) and store nothing; concurrent
 * senders on several tabs and an agent get distinct, ordered sequence numbers, every tab sees every
 * line once in order; connected visitors and agents are counted in /metrics.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chatConfig, collect, connectAgent, connectVisitor, issueVisitor, request, type Line } from '../support/chat.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { waitUntil } from '../support/skip.ts';

const ADMIN = 'test-admin-token-0123456789';

describe('chat limits and ordering', () => {
  let gateway: Gateway;
  let base: string;
  const sockets: Socket[] = [];
  const track = (s: Socket) => { sockets.push(s); return s; };

  beforeAll(async () => {
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('chatlimits') }, metrics: { enabled: true },
      ...chatConfig({ maxTextLength: 100, maxHttpBufferSize: 2048, socketRate: { points: 25, seconds: 60 }, visitorRate: { points: 20, seconds: 60 } }),
    }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
  });
  afterEach(() => { while (sockets.length) sockets.pop()!.close(); });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  const visitor = async () => (await issueVisitor(base)).body;
  const storedCount = async (visitorId: string) => {
    const ticket = await gateway.repos.tickets.byConversation(`chat:${visitorId}`);
    return ticket ? (await gateway.repos.messages.listByTicket(ticket.id)).length : 0;
  };

  it('limits messages per visitor across tabs, and stores nothing over the limit', async () => {
    const { visitorToken, visitorId } = await visitor();
    const tabs = [track(await connectVisitor(base, visitorToken)), track(await connectVisitor(base, visitorToken))];
    for (let i = 0; i < 20; i++) {
      expect(await request(tabs[i % 2]!, 'message:send', { clientId: `m${i}`, text: `message ${i}` })).toMatchObject({ ok: true, seq: i + 1 });
    }
    expect(await request(tabs[1]!, 'message:send', { clientId: 'over', text: 'one too many' })).toEqual({ ok: false, code: 'rate-limited' });
    expect(await gateway.repos.messages.byExternalId('chat', `${visitorId}:over`)).toBeNull();
    // A resend of what was stored still gets its first answer: it stores nothing, so it is not a new message.
    expect(await request(tabs[0]!, 'message:send', { clientId: 'm0', text: 'message 0' })).toMatchObject({ ok: true, seq: 1 });
    expect(await storedCount(visitorId)).toBe(20);
  });

  it('limits events per socket', async () => {
    const { visitorToken } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    for (let i = 0; i < 25; i++) expect(await request(socket, 'history', { afterSeq: 0 })).toMatchObject({ ok: true });
    expect(await request(socket, 'history', { afterSeq: 0 })).toEqual({ ok: false, code: 'rate-limited' });
    // Another socket of the same visitor has its own budget.
    expect(await request(track(await connectVisitor(base, visitorToken)), 'history', { afterSeq: 0 })).toMatchObject({ ok: true });
  });

  it('refuses a text over the length cap with too-long, and closes the connection on a packet over maxHttpBufferSize', async () => {
    const { visitorToken, visitorId } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    expect(await request(socket, 'message:send', { clientId: 'long', text: 'x'.repeat(101) })).toEqual({ ok: false, code: 'too-long' });
    const reasons: string[] = [];
    socket.on('disconnect', (reason) => reasons.push(reason));
    socket.emit('message:send', { clientId: 'huge', text: 'y'.repeat(4000) }, () => { reasons.push('acked'); });
    await waitUntil(() => reasons.length > 0, 'the oversized packet to close the connection');
    expect(reasons[0]).toBe('transport close');
    expect(await storedCount(visitorId)).toBe(0);
    // The gateway goes on serving; the visitor reconnects.
    const again = track(await connectVisitor(base, visitorToken));
    expect(await request(again, 'message:send', { clientId: 'ok', text: 'short' })).toMatchObject({ ok: true, seq: 1 });
  });

  it('numbers concurrent lines from several tabs and an agent uniquely, and every tab sees each once, in order', async () => {
    const { visitorToken, visitorId } = await visitor();
    const tabs = await Promise.all([1, 2, 3].map(async () => track(await connectVisitor(base, visitorToken))));
    const first = await request<{ ticketNumber: number; seq: number }>(tabs[0]!, 'message:send', { clientId: 'open', text: 'opening' });
    const agent = track(await connectAgent(base, ADMIN, 'Ayu'));
    const sends = [
      ...tabs.flatMap((tab, t) => [0, 1, 2, 3].map((i) => request<{ ok: boolean; seq: number }>(tab, 'message:send', { clientId: `t${t}-${i}`, text: `tab ${t} line ${i}` }))),
      ...[0, 1, 2, 3].map((i) => request<{ ok: boolean; seq: number }>(agent, 'message:send', { ticketNumber: first.ticketNumber, clientId: `a${i}`, text: `agent line ${i}` })),
    ];
    const acks = await Promise.all(sends);
    expect(acks.every((a) => a.ok)).toBe(true);
    const seqs = [first.seq, ...acks.map((a) => a.seq)].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    for (const tab of tabs) {
      const seen = collect<Line>(tab, 'message');
      await waitUntil(() => seen.length >= 17, 'every line on every tab');
      expect(seen.map((l) => l.seq)).toEqual(seqs);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const tab of tabs) expect(collect<Line>(tab, 'message')).toHaveLength(17);
    // One ticket, every message on it once.
    expect(await storedCount(visitorId)).toBe(17);
  });

  it('counts connected visitors and agents in /metrics', async () => {
    const gauge = async (role: string) => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(new RegExp(`helpdesk_live_connections\\{channel="chat",role="${role}"\\} (\\d+)`).exec(text)?.[1]);
    };
    const before = { visitor: await gauge('visitor'), agent: await gauge('agent') };
    const { visitorToken } = await visitor();
    const v = track(await connectVisitor(base, visitorToken));
    const a = track(await connectAgent(base, ADMIN));
    await waitUntil(async () => (await gauge('visitor')) === before.visitor + 1 && (await gauge('agent')) === before.agent + 1, 'the gauges to count both');
    v.close();
    a.close();
    await waitUntil(async () => (await gauge('visitor')) === before.visitor && (await gauge('agent')) === before.agent, 'the gauges to count them gone');
  });
});
