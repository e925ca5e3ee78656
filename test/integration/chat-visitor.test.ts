/**
 * The chat channel against a real gateway and database, with real socket.io clients: visitor
 * tokens and site identities, messages acknowledged only once stored, idempotent resends, replay
 * after a forced disconnect, and an agent answering live.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { siteIdentitySignature } from '../../channels/chat/visitor-token.ts';
import { signAgentToken } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { chatConfig, collect, connectAgent, connectVisitor, issueVisitor, request, SITE, type Line } from '../support/chat.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';

const ADMIN = 'test-admin-token-0123456789';
const AGENT_MAIL = 'dana@helpdesk.test';
const AUTHENTICATED = { 'Authentication-Results': 'mx.helpdesk.test; spf=pass smtp.mailfrom=helpdesk.test; dkim=pass header.d=helpdesk.test; dmarc=pass header.from=helpdesk.test' };

describe('chat: visitors and agents', () => {
  let gateway: Gateway;
  let base: string;
  const sockets: Socket[] = [];
  const track = (s: Socket) => { sockets.push(s); return s; };

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('chat') }, ...chatConfig() }, {
      AGENT_ADDRESSES: AGENT_MAIL, TRUSTED_AUTHSERV_IDS: 'mx.helpdesk.test',
    }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
  });
  afterEach(() => { while (sockets.length) sockets.pop()!.close(); });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  const visitor = async (body: Record<string, unknown> = {}) => {
    const { status, body: issued } = await issueVisitor(base, body);
    expect(status).toBe(201);
    return issued;
  };

  describe('POST /api/v1/chat/visitors', () => {
    it('issues a token, resumes it, and refuses unknown sites and foreign origins', async () => {
      const first = await visitor({ locale: 'id' });
      expect(first.visitorId).toMatch(/^v_/);
      const resumed = await issueVisitor(base, { visitorToken: first.visitorToken });
      expect(resumed.status).toBe(200);
      expect(resumed.body.visitorId).toBe(first.visitorId);
      expect((await issueVisitor(base, { siteKey: 'nope' })).body.error).toBe('unknown-site');
      const foreign = await issueVisitor(base, {}, { origin: 'https://evil.example' });
      expect([foreign.status, foreign.body.error]).toEqual([403, 'origin-not-allowed']);
      const allowed = await fetch(`${base}/api/v1/chat/visitors`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin: SITE.origins[0]! }, body: JSON.stringify({ siteKey: SITE.key }),
      });
      expect(allowed.status).toBe(201);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(SITE.origins[0]);
      const tampered = `${first.visitorToken.slice(0, -2)}xx`;
      expect((await issueVisitor(base, { visitorToken: tampered })).body.error).toBe('unauthorized');
      expect((await issueVisitor(base, { locale: 'fr' })).body.error).toBe('invalid-payload');
    });

    it('refuses sockets without a valid token or from a foreign origin', async () => {
      await expect(connectVisitor(base, 'not-a-token')).rejects.toThrow('unauthorized');
      const { visitorToken } = await visitor();
      await expect(connectVisitor(base, visitorToken, 0, { origin: 'https://evil.example' })).rejects.toThrow('origin-not-allowed');
      track(await connectVisitor(base, visitorToken, 0, { origin: SITE.origins[0]! }));
      await expect(connectAgent(base, 'wrong-admin-token-000000000')).rejects.toThrow('unauthorized');
    });
  });

  it('acknowledges a message only once it is stored, and a resent clientId stores nothing new', async () => {
    const { visitorToken, visitorId } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    const ack = await request<{ ok: true; seq: number; ticketNumber: number }>(socket, 'message:send', { clientId: 'c-1', text: 'My order never came' });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    // At the moment of the ack, the message and its ticket are in the database.
    const stored = await gateway.repos.messages.byExternalId('chat', `${visitorId}:c-1`);
    expect(stored).toMatchObject({ complete: true, ticketNumber: ack.ticketNumber, text: 'My order never came' });
    const ticket = await gateway.repos.tickets.byNumber(ack.ticketNumber);
    expect(ticket).toMatchObject({ channel: 'chat', subject: 'My order never came' });

    const again = await request(socket, 'message:send', { clientId: 'c-1', text: 'My order never came' });
    expect(again).toEqual(ack);
    const second = await request<{ seq: number; ticketNumber: number }>(socket, 'message:send', { clientId: 'c-2', text: 'Order 77' });
    expect(second).toMatchObject({ ok: true, seq: 2, ticketNumber: ack.ticketNumber });
    expect((await gateway.repos.messages.listByTicket(ticket!.id)).map((m) => m.text)).toEqual(['My order never came', 'Order 77']);
    const history = await request<{ ok: true; messages: Line[] }>(socket, 'history', { afterSeq: 0 });
    expect(history.messages.map((m) => [m.seq, m.author, m.text])).toEqual([[1, 'visitor', 'My order never came'], [2, 'visitor', 'Order 77']]);
  });

  it('rejects bad payloads with stable codes and stores nothing from them', async () => {
    const { visitorToken, visitorId } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    expect(await request(socket, 'message:send', { clientId: 'x', text: '' })).toEqual({ ok: false, code: 'invalid-payload' });
    expect(await request(socket, 'message:send', { clientId: 'bad id!', text: 'hi' })).toEqual({ ok: false, code: 'invalid-payload' });
    expect(await request(socket, 'message:send', { clientId: 'long', text: 'x'.repeat(4001) })).toEqual({ ok: false, code: 'too-long' });
    expect(await request(socket, 'history', { afterSeq: -1 })).toEqual({ ok: false, code: 'invalid-payload' });
    expect(await gateway.repos.messages.byExternalId('chat', `${visitorId}:x`)).toBeNull();
    expect(await gateway.repos.messages.byExternalId('chat', `${visitorId}:long`)).toBeNull();
    expect(await gateway.repos.tickets.byConversation(`chat:${visitorId}`)).toBeNull();
  });

  it('a forged identity in a payload, or an unsigned one, has no effect', async () => {
    const victim = await visitor();
    const { visitorToken, visitorId } = await visitor({ identity: { email: 'boss@shop.example', name: 'Boss', signature: 'f'.repeat(64) } });
    expect((await issueVisitor(base, { visitorToken })).body.verified).toBe(false);
    const socket = track(await connectVisitor(base, visitorToken));
    // Extra fields are refused outright: no payload can name another visitor.
    expect(await request(socket, 'message:send', { clientId: 'f1', text: 'hi', visitorId: victim.visitorId })).toEqual({ ok: false, code: 'invalid-payload' });
    const ack = await request<{ ticketNumber: number }>(socket, 'message:send', { clientId: 'f2', text: 'I am the boss' });
    const ticket = (await gateway.repos.tickets.byNumber(ack.ticketNumber))!;
    const [requester] = await gateway.repos.contacts.byIds([ticket.requesterId]);
    expect(requester!.emails).toEqual([]);
    expect(requester!.identities).toEqual([{ kind: 'chat', value: visitorId }]);
    expect(await gateway.repos.tickets.byConversation(`chat:${victim.visitorId}`)).toBeNull();
  });

  it('a signed identity attaches the chat to the contact with that address', async () => {
    const email = 'Known.User@shop.example';
    const signature = siteIdentitySignature(SITE.identitySecret, email);
    const known = await gateway.repos.contacts.findOrCreateByEmail({ address: 'known.user@shop.example' });
    const { visitorToken, verified } = await visitor({ identity: { email, name: 'Known', signature } });
    expect(verified).toBe(true);
    const socket = track(await connectVisitor(base, visitorToken));
    const ack = await request<{ ticketNumber: number }>(socket, 'message:send', { clientId: 's1', text: 'Logged-in question' });
    expect((await gateway.repos.tickets.byNumber(ack.ticketNumber))!.requesterId).toBe(known.id);
  });

  it('replays every later line once, in order, after a server-side disconnect and a killed transport', async () => {
    const { visitorToken, visitorId } = await visitor();
    const first = track(await connectVisitor(base, visitorToken));
    const ack = await request<{ seq: number; ticketNumber: number }>(first, 'message:send', { clientId: 'r1', text: 'one' });
    const agent = track(await connectAgent(base, ADMIN, 'Rina'));
    await request(agent, 'conversation:join', { ticketNumber: ack.ticketNumber });

    // The server drops the visitor; meanwhile the agent answers twice.
    gateway.io()!.of('/chat').in(`conversation:${visitorId}`).disconnectSockets(true);
    await waitUntil(() => first.disconnected, 'the visitor to be disconnected');
    for (const [clientId, text] of [['a1', 'two'], ['a2', 'three']]) {
      expect(await request(agent, 'message:send', { ticketNumber: ack.ticketNumber, clientId, text })).toMatchObject({ ok: true });
    }
    const back = track(await connectVisitor(base, visitorToken, ack.seq));
    const replayed = collect<Line>(back, 'message');
    await waitUntil(() => replayed.length >= 2, 'the replay');
    // A killed transport: the TCP connection is destroyed without a WebSocket close or socket.io goodbye.
    (back.io.engine as unknown as { transport: { ws: { terminate(): void } } }).transport.ws.terminate();
    await waitUntil(() => back.disconnected, 'the transport to close');
    await request(agent, 'message:send', { ticketNumber: ack.ticketNumber, clientId: 'a3', text: 'four' });
    const last = replayed.at(-1)!.seq;
    const third = track(await connectVisitor(base, visitorToken, last));
    const more = collect<Line>(third, 'message');
    await waitUntil(() => more.length >= 1, 'the second replay');
    await new Promise((r) => setTimeout(r, 300)); // nothing more may follow
    expect(replayed.map((l) => [l.seq, l.author, l.text, l.agentName])).toEqual([[2, 'agent', 'two', 'Rina'], [3, 'agent', 'three', 'Rina']]);
    expect(more.map((l) => [l.seq, l.text])).toEqual([[4, 'four']]);
  });

  it('lets an agent see a new conversation, join it with its history and answer live', async () => {
    const agent = track(await connectAgent(base, ADMIN, 'Dewi'));
    const opened = collect<{ ticketNumber: number; text: string }>(agent, 'conversation:new');
    const agentLines = collect<{ ticketNumber: number; seq: number; text: string }>(agent, 'message');
    const { visitorToken } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    const presence = collect<{ agentsOnline: number }>(socket, 'presence');
    const lines = collect<Line>(socket, 'message');
    const ack = await request<{ ticketNumber: number }>(socket, 'message:send', { clientId: 'q1', text: 'Is anyone there?' });
    await waitUntil(() => opened.some((o) => o.ticketNumber === ack.ticketNumber), 'conversation:new');
    expect(agentLines.find((l) => l.ticketNumber === ack.ticketNumber)).toMatchObject({ seq: 1, text: 'Is anyone there?' });
    await waitUntil(() => presence.length > 0, 'presence');
    expect(presence[0]!.agentsOnline).toBeGreaterThanOrEqual(1);

    const joined = await request<{ ok: true; messages: Line[] }>(agent, 'conversation:join', { ticketNumber: ack.ticketNumber });
    expect(joined.messages.map((m) => m.text)).toEqual(['Is anyone there?']);
    const typing = collect<{ typing: boolean; agentName: string }>(socket, 'typing');
    agent.emit('typing', { ticketNumber: ack.ticketNumber, typing: true });
    await waitUntil(() => typing.length > 0, 'agent typing');
    expect(typing[0]).toEqual({ typing: true, agentName: 'Dewi' });
    const agentTyping = collect<{ ticketNumber: number; typing: boolean }>(agent, 'typing');
    socket.emit('typing', { typing: true });
    await waitUntil(() => agentTyping.length > 0, 'visitor typing');
    expect(agentTyping[0]).toEqual({ ticketNumber: ack.ticketNumber, typing: true });

    const sent = await request<{ ok: true; seq: number }>(agent, 'message:send', { ticketNumber: ack.ticketNumber, clientId: 'r1', text: 'Yes, how can I help?' });
    expect(sent).toEqual({ ok: true, seq: 2 });
    expect(await request(agent, 'message:send', { ticketNumber: ack.ticketNumber, clientId: 'r1', text: 'Yes, how can I help?' })).toEqual(sent);
    await waitUntil(() => lines.some((l) => l.seq === 2), 'the agent reply');
    expect(lines.map((l) => [l.seq, l.author, l.text, l.agentName ?? null])).toEqual([[1, 'visitor', 'Is anyone there?', null], [2, 'agent', 'Yes, how can I help?', 'Dewi']]);
    // The reply is on the ticket, audited, and its outbox entry was delivered to the connected visitor.
    const ticket = (await gateway.repos.tickets.byNumber(ack.ticketNumber))!;
    const stored = await gateway.repos.messages.listByTicket(ticket.id);
    expect(stored.filter((m) => m.author === 'agent').map((m) => m.text)).toEqual(['Yes, how can I help?']);
    await waitUntil(async () => (await gateway.repos.outbox.listByTicket(ticket.id)).some((e) => e.channel === 'chat' && e.status === 'sent'), 'the chat outbox entry to be sent');
    expect(await request(agent, 'conversation:join', { ticketNumber: 999999 })).toEqual({ ok: false, code: 'not-found' });
  });

  it('shows status changes and replies made through the API to a connected visitor', async () => {
    const { visitorToken } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    const statuses = collect<{ ticketNumber: number; status: string }>(socket, 'status');
    const lines = collect<Line>(socket, 'message');
    const ack = await request<{ ticketNumber: number }>(socket, 'message:send', { clientId: 'p1', text: 'Status please' });
    const api = (path: string, body: unknown) => fetch(`${base}/api/v1/tickets/${ack.ticketNumber}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect((await api('/replies', { text: 'Answered from the console', requestId: 'api-1' })).status).toBeLessThan(300);
    await waitUntil(() => lines.some((l) => l.text === 'Answered from the console'), 'the API reply in the chat');
    expect(lines.find((l) => l.text === 'Answered from the console')).toMatchObject({ author: 'agent', agentName: 'Support' });
    const res = await fetch(`${base}/api/v1/tickets/${ack.ticketNumber}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'resolved' }),
    });
    expect(res.status).toBe(200);
    await waitUntil(() => statuses.some((s) => s.status === 'resolved'), 'the status update');
    expect(statuses.at(-1)).toEqual({ ticketNumber: ack.ticketNumber, status: 'resolved' });
  });

  it('takes an agent\'s personal API token, shows their own display name, and refuses it once revoked', async () => {
    const { agent } = await gateway.agents.create({ email: 'lina@helpdesk.test', displayName: 'Lina', role: 'agent', tier: 'L1', language: 'id' });
    const { token, record } = await gateway.agents.issueToken(agent.id, 'chat');
    const { visitorToken } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    const lines = collect<Line>(socket, 'message');
    const ack = await request<{ ticketNumber: number }>(socket, 'message:send', { clientId: 'pt1', text: 'Hi' });
    // A personal token names its agent: a name in the handshake does not change it.
    const lina = track(await connectAgent(base, token, 'Someone Else'));
    expect(await request(lina, 'message:send', { ticketNumber: ack.ticketNumber, clientId: 'l1', text: 'Halo, saya Lina' })).toMatchObject({ ok: true, seq: 2 });
    await waitUntil(() => lines.some((l) => l.seq === 2), 'the reply');
    expect(lines.find((l) => l.seq === 2)).toMatchObject({ author: 'agent', agentName: 'Lina' });
    const ticket = (await gateway.repos.tickets.byNumber(ack.ticketNumber))!;
    const reply = (await gateway.repos.messages.listByTicket(ticket.id)).find((m) => m.author === 'agent');
    expect(reply?.from.name).toBe('Lina');
    await gateway.agents.revokeToken(record.id);
    await expect(connectAgent(base, token)).rejects.toThrow('unauthorized');
  });

  it('shows an agent\'s authenticated email reply on a chat ticket to the connected visitor', async () => {
    const { visitorToken } = await visitor();
    const socket = track(await connectVisitor(base, visitorToken));
    const lines = collect<Line>(socket, 'message');
    const ack = await request<{ ticketNumber: number }>(socket, 'message:send', { clientId: 'em1', text: 'Can someone mail me back?' });
    const token = signAgentToken({ keys: [{ id: gateway.config.secretKeyId, secret: gateway.config.secret }] }, ack.ticketNumber, AGENT_MAIL);
    const result = await gateway.channels.email.intake(await buildMail({
      messageId: '<dana-chat-1@helpdesk.test>', from: `Dana <${AGENT_MAIL}>`, to: `support+${token}@helpdesk.test`,
      subject: `Re: [#${ack.ticketNumber}] Can someone mail me back?`, text: 'Answered from my mailbox', headers: AUTHENTICATED,
    }), 'test', gateway.ingest);
    expect(result).toMatchObject({ outcome: 'appended', ticketNumber: ack.ticketNumber });
    await waitUntil(() => lines.some((l) => l.author === 'agent'), 'the mailed answer in the chat');
    expect(lines.find((l) => l.author === 'agent')).toMatchObject({ seq: 2, text: expect.stringContaining('Answered from my mailbox'), agentName: 'Dana' });
  });
});
