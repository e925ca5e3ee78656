/**
 * The console's live feed and queue routes against a real gateway and database: the `/console`
 * namespace lets in only a signed-in agent (session cookie with its CSRF token, or a valid personal
 * API token), tells every agent about stored mail and ticket changes, and shows who is viewing or
 * typing on a ticket; /ticket-counts and /agent-directory answer any agent and nothing more.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, sessionClient } from '../support/api-client.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

interface FeedEvent { type: string; ticketNumber: number; actor: string; at: string }
interface Presence { ticketNumber: number; viewers: Array<{ agentId: string; name: string; typing: boolean }> }

describe('the console live feed', () => {
  let gateway: Gateway;
  let base: string;
  const sockets: Socket[] = [];
  let ana: { id: string; cookie: string; csrf: string };
  let boToken = '';
  let boId = '';

  function open(options: { cookie?: string; auth?: Record<string, unknown> }): Socket {
    const socket = connect(`${base}/console`, {
      transports: ['websocket'], reconnection: false, forceNew: true, auth: options.auth ?? {},
      ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
    });
    sockets.push(socket);
    return socket;
  }

  /** Resolves 'connected', or the error the server refused with. */
  const outcome = (socket: Socket) => new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });

  const next = <T>(socket: Socket, event: string, match: (value: T) => boolean = () => true) => new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} in time`)), 10_000);
    const on = (value: T) => {
      if (!match(value)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(value);
    };
    socket.on(event, on);
  });

  const mail = (id: string, subject: string) => buildMail({ messageId: `<${id}@example.org>`, from: 'dina@example.org', subject, text: 'Hello' });

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('consolefeed') } }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    const created = await gateway.agents.create({ email: 'ana@helpdesk.test', displayName: 'Ana', role: 'agent', tier: 'L1', language: 'en' }, 'ana-password-123');
    const bo = await gateway.agents.create({ email: 'bo@helpdesk.test', displayName: 'Bo', role: 'agent', tier: 'L2', language: 'id' }, 'bo-password-123');
    boId = bo.agent.id;
    boToken = (await gateway.agents.issueToken(boId, 'feed')).token;
    const session = await sessionClient(base, 'ana@helpdesk.test', 'ana-password-123');
    ana = { id: created.agent.id, cookie: session.cookie, csrf: session.csrf };
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('lets in only a signed-in agent: the session cookie with its CSRF token, or a valid API token', async () => {
    expect(await outcome(open({}))).toBe('unauthorized');
    expect(await outcome(open({ cookie: ana.cookie }))).toBe('unauthorized');
    expect(await outcome(open({ cookie: ana.cookie, auth: { csrfToken: 'x'.repeat(ana.csrf.length) } }))).toBe('unauthorized');
    expect(await outcome(open({ auth: { csrfToken: ana.csrf } }))).toBe('unauthorized');
    expect(await outcome(open({ auth: { token: 'test-admin-token-0123456789' } }))).toBe('unauthorized');
    expect(await outcome(open({ auth: { token: { $ne: null } } }))).toBe('unauthorized');
    expect(await outcome(open({ cookie: ana.cookie, auth: { csrfToken: ana.csrf } }))).toBe('connected');
    expect(await outcome(open({ auth: { token: boToken } }))).toBe('connected');

    const revoked = await gateway.agents.issueToken(boId, 'revoked');
    await gateway.agents.revokeToken(revoked.record.id);
    expect(await outcome(open({ auth: { token: revoked.token } }))).toBe('unauthorized');
  });

  it('tells every agent about a new ticket, a new message and a status change, once each is stored', async () => {
    const feed = open({ cookie: ana.cookie, auth: { csrfToken: ana.csrf } });
    await outcome(feed);
    const created = next<FeedEvent>(feed, 'ticket:event', (e) => e.type === 'ticket.created');
    const result = await gateway.channels.email.intake(await mail('feed-1', 'Laptop will not boot'), 'test', gateway.ingest);
    const event = await created;
    expect(event.ticketNumber).toBe(result.ticketNumber);
    // When the event arrives the ticket is there to load.
    const ticket = await bearerClient(base, boToken)('GET', `/tickets/${event.ticketNumber}`);
    expect(ticket.status).toBe(200);

    const changed = next<FeedEvent>(feed, 'ticket:event', (e) => e.type === 'ticket.status-changed');
    expect((await bearerClient(base, boToken)('PATCH', `/tickets/${event.ticketNumber}`, { status: 'open' })).status).toBe(200);
    expect(await changed).toMatchObject({ ticketNumber: event.ticketNumber, actor: `agent:${boId}` });

    const appended = next<FeedEvent>(feed, 'ticket:event', (e) => e.type === 'message.appended');
    await gateway.channels.email.intake(await buildMail({
      messageId: '<feed-2@example.org>', from: 'dina@example.org', subject: 'Re: Laptop will not boot', text: 'Still broken', inReplyTo: '<feed-1@example.org>',
    }), 'test', gateway.ingest);
    expect((await appended).ticketNumber).toBe(event.ticketNumber);
  });

  it('shows who else is viewing a ticket and who is typing, and forgets whoever leaves', async () => {
    const { ticketNumber } = await gateway.channels.email.intake(await mail('feed-3', 'VPN drops'), 'test', gateway.ingest);
    const a = open({ cookie: ana.cookie, auth: { csrfToken: ana.csrf } });
    const b = open({ auth: { token: boToken } });
    await Promise.all([outcome(a), outcome(b)]);
    expect(await a.emitWithAck('ticket:view', 'not a number')).toEqual({ ok: false, code: 'invalid_request' });

    const both = (p: Presence) => p.ticketNumber === ticketNumber && p.viewers.length === 2;
    const seenByA = next<Presence>(a, 'presence', both);
    expect(await a.emitWithAck('ticket:view', ticketNumber)).toEqual({ ok: true });
    expect(await b.emitWithAck('ticket:view', ticketNumber)).toEqual({ ok: true });
    expect((await seenByA).viewers.map((v) => v.name).sort()).toEqual(['Ana', 'Bo']);

    const typing = next<Presence>(a, 'presence', (p) => p.viewers.some((v) => v.name === 'Bo' && v.typing));
    b.emit('ticket:typing', true);
    expect((await typing).viewers.find((v) => v.name === 'Ana')?.typing).toBe(false);

    const alone = next<Presence>(a, 'presence', (p) => p.viewers.length === 1);
    b.disconnect();
    expect((await alone).viewers).toEqual([{ agentId: ana.id, name: 'Ana', typing: false }]);
  });

  it('counts tickets per status under the filters and lists colleagues, for any agent and nobody else', async () => {
    const bo = bearerClient(base, boToken);
    const res = await bo('GET', '/ticket-counts');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.counts).toEqual({ new: 1, open: 1, pending: 0, resolved: 0, closed: 0 });
    expect(body.total).toBe(2);
    expect((await (await bo('GET', '/ticket-counts?channel=chat')).json()).total).toBe(0);
    expect((await bo('GET', '/ticket-counts?tier[$ne]=L9')).status).toBe(400);
    expect((await bo('GET', '/ticket-counts?status=open')).status).toBe(400);
    expect((await fetch(`${base}/api/v1/ticket-counts`)).status).toBe(401);

    await gateway.agents.create({ email: 'gone@helpdesk.test', displayName: 'Gone', role: 'agent', tier: 'L3', language: 'en' }, 'gone-password-123')
      .then(({ agent }) => gateway.agents.update(agent.id, { disabled: true }));
    const directory = await (await bo('GET', '/agent-directory')).json();
    expect(directory.agents.map((a: { displayName: string }) => a.displayName).sort()).toEqual(['Ana', 'Bo']);
    expect(JSON.stringify(directory)).not.toContain('@helpdesk.test');
    expect((await fetch(`${base}/api/v1/agent-directory`)).status).toBe(401);

    const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/ticket-counts', '/agent-directory']));
  });
});
