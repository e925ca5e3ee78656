/**
 * The console's session on the chat's /agents namespace, against a real gateway and database: a
 * signed-in agent's browser (session cookie, the session's CSRF token, the console's Origin) joins
 * a visitor's conversation and answers it under their own name; a socket without a cookie, with an
 * unknown or ended session, without the CSRF token, or from another site's page is refused.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { sessionClient } from '../support/api-client.ts';
import { chatConfig, collect, connectConsoleAgent, connectVisitor, issueVisitor, request, type Line } from '../support/chat.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { waitUntil } from '../support/skip.ts';

describe('chat /agents with the console session', () => {
  let gateway: Gateway;
  let base: string;
  let session: { cookie: string; csrfToken: string; origin: string };
  const sockets: Socket[] = [];
  const track = (s: Socket) => { sockets.push(s); return s; };

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('chatsession') }, ...chatConfig() }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    await gateway.agents.create({ email: 'sari@helpdesk.test', displayName: 'Sari', role: 'agent', tier: 'L1', language: 'id' }, 'sari-password-123');
    const { cookie, csrf } = await sessionClient(base, 'sari@helpdesk.test', 'sari-password-123');
    session = { cookie, csrfToken: csrf, origin: base };
  });
  afterEach(() => { while (sockets.length) sockets.pop()!.close(); });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('lets the signed-in console join a conversation and answer it under the agent\'s name', async () => {
    const { body: { visitorToken } } = await issueVisitor(base);
    const visitor = track(await connectVisitor(base, visitorToken));
    const sent = await request<{ ok: true; ticketNumber: number }>(visitor, 'message:send', { clientId: 'v-1', text: 'Can I change my delivery address?' });
    const agent = track(await connectConsoleAgent(base, session));
    const joined = await request<{ ok: true; messages: Line[] }>(agent, 'conversation:join', { ticketNumber: sent.ticketNumber });
    expect(joined.messages.map((m) => m.text)).toEqual(['Can I change my delivery address?']);
    const answer = await request<{ ok: boolean }>(agent, 'message:send', { ticketNumber: sent.ticketNumber, clientId: 'a-1', text: 'Yes, tell me the new one.' });
    expect(answer.ok).toBe(true);
    const lines = collect<Line>(visitor, 'message');
    const line = await waitUntil(() => lines.find((l) => l.text === 'Yes, tell me the new one.'), 'the reply on the visitor socket');
    expect(line).toMatchObject({ author: 'agent', agentName: 'Sari' });
  });

  it('refuses a socket without a cookie, with an unknown session, or without the CSRF token', async () => {
    await expect(connectConsoleAgent(base, { origin: base })).rejects.toThrow('unauthorized');
    await expect(connectConsoleAgent(base, { ...session, cookie: 'helpdesk_session=not-a-session' })).rejects.toThrow('unauthorized');
    await expect(connectConsoleAgent(base, { cookie: session.cookie, origin: base })).rejects.toThrow('unauthorized');
    await expect(connectConsoleAgent(base, { ...session, csrfToken: 'x'.repeat(session.csrfToken.length) })).rejects.toThrow('unauthorized');
  });

  it('refuses the right session from another site\'s page, or with no Origin at all', async () => {
    await expect(connectConsoleAgent(base, { ...session, origin: 'https://evil.example' })).rejects.toThrow('unauthorized');
    await expect(connectConsoleAgent(base, { ...session, origin: base.replace('127.0.0.1', 'localhost') })).rejects.toThrow('unauthorized');
    await expect(connectConsoleAgent(base, { cookie: session.cookie, csrfToken: session.csrfToken })).rejects.toThrow('unauthorized');
  });

  it('refuses a session that has ended', async () => {
    const other = await sessionClient(base, 'sari@helpdesk.test', 'sari-password-123');
    const ended = { cookie: other.cookie, csrfToken: other.csrf, origin: base };
    track(await connectConsoleAgent(base, ended));
    expect((await other.call('POST', '/auth/logout')).status).toBeLessThan(300);
    await expect(connectConsoleAgent(base, ended)).rejects.toThrow('unauthorized');
  });
});
