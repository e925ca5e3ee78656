/**
 * The ticket and contact API against the real gateway and database: every list filter, cursor
 * pagination under a filter, literal subject search, operator-injection attempts (400, nothing
 * changed), a whole cross-channel thread with internal notes and delivery states, and contacts
 * with their identities and tickets.
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

type TicketJson = { number: number; subject: string; requester: { id: string } };

const chatMessage = (externalId: string, text: string): InboundMessage => ({
  channel: 'chat', externalId, from: { name: 'Vera', channelUserId: 'v_vera', address: 'vera@example.org' }, to: [], cc: [],
  subject: 'Chat with Vera', text, visibleText: text, attachments: [], receivedAt: new Date(),
  threadHints: { replyTokens: [], references: [], conversationId: 'conv-vera' }, classification: 'human', classificationReason: 'chat',
});

describe('ticket and contact API', () => {
  let gateway: Gateway;
  let api: ApiCaller;
  const numbers = (body: { tickets: TicketJson[] }) => body.tickets.map((t) => t.number);
  const list = async (query: string) => {
    const res = await api('GET', `/tickets?${query}`);
    expect(res.status, query).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('apitickets') },
      // A chat reply the visitor missed goes out in their digest mail at once here.
      channels: { chat: { offline: { digestDelayMs: 0, digestPollIntervalMs: 100 } } },
    }), mongoUri(), createLogger('silent'));
    await gateway.start();
    api = bearerClient(`http://127.0.0.1:${gateway.httpPort()}`, 'test-admin-token-0123456789');
    const mails = [
      ['ann@example.org', 'VPN drops every hour'], ['ben@example.org', 'Invoice (March) missing'], ['ann@example.org', 'Printer jam'],
      ['cat@example.org', 'vpn setup on a new laptop'], ['ben@example.org', 'Refund a.b*c'],
    ];
    for (const [i, [from, subject]] of mails.entries()) {
      await gateway.channels.email.intake(await buildMail({ messageId: `<list-${i}@example.org>`, from, subject }), 'test', gateway.ingest);
    }
    const actor = { id: 'agent:test' };
    await gateway.actions.setStatus(1, 'open', actor);
    await gateway.actions.setPriority(1, 'urgent', actor);
    await gateway.actions.assign(1, 'ag_anna', actor);
    await gateway.actions.escalate(2, 'L2', 'billing system', actor);
    await gateway.actions.setCategory(2, 'billing', actor);
    await gateway.actions.setStatus(4, 'open', actor);
    await gateway.actions.assign(4, 'ag_anna', actor);
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('filters by status, channel, assignee, tier, priority, category and requester', async () => {
    expect(numbers(await list('status=open'))).toEqual([4, 1]);
    expect(numbers(await list('status=new'))).toEqual([5, 3, 2]);
    expect(numbers(await list('channel=email'))).toEqual([5, 4, 3, 2, 1]);
    expect(numbers(await list('channel=chat'))).toEqual([]);
    expect(numbers(await list('assignee=ag_anna'))).toEqual([4, 1]);
    expect(numbers(await list('assignee=none'))).toEqual([5, 3, 2]);
    expect(numbers(await list('tier=L2'))).toEqual([2]);
    expect(numbers(await list('priority=urgent'))).toEqual([1]);
    expect(numbers(await list('category=billing'))).toEqual([2]);
    expect(numbers(await list('requester=ann@example.org'))).toEqual([3, 1]);
    expect(numbers(await list('requester=nobody@example.org'))).toEqual([]);
    const annId = (await list('requester=ann@example.org')).tickets[0].requester.id;
    expect(numbers(await list(`requester=${annId}`))).toEqual([3, 1]);
    expect(numbers(await list('status=open&assignee=ag_anna&priority=urgent'))).toEqual([1]);
  });

  it('searches subject text case-insensitively and literally, never as a pattern', async () => {
    expect(numbers(await list('q=vpn'))).toEqual([4, 1]);
    expect(numbers(await list(`q=${encodeURIComponent('(March)')}`))).toEqual([2]);
    expect(numbers(await list(`q=${encodeURIComponent('a.b*c')}`))).toEqual([5]);
    expect(numbers(await list(`q=${encodeURIComponent('.*')}`))).toEqual([]);
    expect(numbers(await list(`q=${encodeURIComponent('^V')}`))).toEqual([]);
    expect((await api('GET', `/tickets?q=${'x'.repeat(101)}`)).status).toBe(400);
  });

  it('pages a filtered list with the cursor', async () => {
    const first = await list('channel=email&limit=2');
    expect(numbers(first)).toEqual([5, 4]);
    const second = await list(`channel=email&limit=2&cursor=${first.nextCursor}`);
    expect(numbers(second)).toEqual([3, 2]);
    const last = await list(`channel=email&limit=2&cursor=${second.nextCursor}`);
    expect(numbers(last)).toEqual([1]);
    expect(last.nextCursor).toBeNull();
    const filtered = await list('status=new&limit=2');
    expect(numbers(filtered)).toEqual([5, 3]);
    expect(numbers(await list(`status=new&limit=2&cursor=${filtered.nextCursor}`))).toEqual([2]);
  });

  it('answers operator-injection attempts with 400 and changes nothing', async () => {
    const ticketId = (await gateway.repos.tickets.byNumber(3))!.id;
    const eventsBefore = await gateway.models.TicketEvent.countDocuments({ ticketId });
    for (const query of ['status[$ne]=x', 'assignee[$exists]=true', 'q[$regex]=.*', 'requester[$gt]=', 'category=%7B%22%24ne%22%3A1%7D&status[$in]=open']) {
      const res = await api('GET', `/tickets?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error).toBe('invalid_request');
    }
    for (const body of [{ status: { $ne: null } }, { assigneeId: { $gt: '' } }, { priority: ['high'] }, { $set: { status: 'closed' } }, { category: { $where: '1' } }]) {
      const res = await api('PATCH', '/tickets/3', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api('POST', '/tickets/3/escalate', { tier: { $in: ['L3'] }, reason: 'x' })).status).toBe(400);
    expect((await api('GET', '/contacts?email[$ne]=x')).status).toBe(400);
    expect((await api('GET', '/contacts/%7B%24ne%3A1%7D')).status).toBe(400);
    const bad = await api('PATCH', '/tickets/3', undefined, { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    const broken = await fetch(`http://127.0.0.1:${gateway.httpPort()}/api/v1/tickets/3`, {
      method: 'PATCH', headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' }, body: '{"status":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error).toBe('invalid_json');
    const three = await (await api('GET', '/tickets/3')).json();
    expect(three).toMatchObject({ status: 'new', priority: 'normal', category: null, assigneeId: null, tier: null });
    expect(await gateway.models.TicketEvent.countDocuments({ ticketId })).toBe(eventsBefore);
  });

  it('shows the whole cross-channel thread: chat, the agent reply with its delivery state, a note, the customer by mail', async () => {
    const started = await gateway.ingest.ingest(chatMessage('chat-1', 'My order never arrived'));
    expect(started.outcome).toBe('created');
    const n = started.ticketNumber!;
    expect((await api('POST', `/tickets/${n}/replies`, { text: 'Sorry! Checking now.', requestId: 'r1' })).status).toBe(201);
    expect((await api('POST', `/tickets/${n}/notes`, { text: 'courier lost it', requestId: 'n1' })).status).toBe(201);
    // The customer answers the digest mail by email: it lands on the same ticket.
    const ticketId = (await gateway.repos.tickets.byNumber(n))!.id;
    // The dispatcher tries the live message first; the visitor is not connected, so the reply goes out in their digest mail.
    const live = await waitUntil(async () => (await gateway.repos.outbox.listByTicket(ticketId))
      .find((e) => e.channel === 'chat' && e.status === 'undelivered'), 'the chat reply to be found undelivered', 10_000);
    const digest = await waitUntil(async () => (await gateway.repos.outbox.listByTicket(ticketId))
      .find((e) => e.kind === 'chat-digest'), 'the digest mail queued', 10_000);
    const mail = digest.channel === 'email' ? digest : undefined;
    const replyTo = mail!.replyTo!.address;
    const byMail = await gateway.channels.email.intake(await buildMail({
      messageId: '<vera-mail@example.org>', from: 'Vera <vera@example.org>', to: replyTo, subject: `Re: ${mail!.subject}`, inReplyTo: `<${mail!.messageId}>`, text: 'Here is my order number 42.',
    }), 'test', gateway.ingest);
    expect(byMail).toMatchObject({ outcome: 'appended', ticketNumber: n });

    const detail = await (await api('GET', `/tickets/${n}`)).json();
    expect(detail).toMatchObject({ channel: 'chat', requester: { emails: ['vera@example.org'], identities: expect.arrayContaining([{ kind: 'chat', value: 'v_vera' }]) } });
    const thread = detail.messages.map((m: { channel: string; direction: string; author: string; internal: boolean }) => `${m.channel}:${m.direction}:${m.author}${m.internal ? ':internal' : ''}`);
    // The acknowledgement went to the address the chat visitor gave, as a mail.
    expect(thread).toEqual(['chat:inbound:customer', 'email:outbound:system', 'chat:outbound:agent', 'chat:outbound:agent:internal', 'email:inbound:customer']);
    expect(detail.messages[1].delivery).toMatchObject({ channel: 'email', status: 'pending', attempts: 0 });
    // The reply was a live chat message; the visitor is not connected, so it is undelivered live and
    // the digest mail carries it (waiting: no SMTP server in this test).
    expect(detail.messages[2].delivery).toMatchObject({ channel: 'chat', status: 'undelivered' });
    expect(mail).toMatchObject({ to: [{ address: 'vera@example.org' }], text: expect.stringContaining('Sorry! Checking now.') });
    expect(live.status).toBe('undelivered');
    expect(detail.messages[3].delivery).toBeUndefined();
    expect(detail.messages[4]).toMatchObject({ visibleText: expect.stringContaining('order number 42') });
  });

  it('finds a contact by address or identity, with its identities and tickets', async () => {
    const ann = await api('GET', '/contacts?email=ANN@example.org');
    expect(ann.status).toBe(200);
    const body = await ann.json();
    expect(body).toMatchObject({ emails: ['ann@example.org'], identities: [{ kind: 'email', value: 'ann@example.org' }] });
    expect(body.tickets.map((t: TicketJson) => t.number)).toEqual([3, 1]);
    const vera = await (await api('GET', '/contacts?identity=chat:v_vera')).json();
    expect(vera.identities).toEqual(expect.arrayContaining([{ kind: 'chat', value: 'v_vera' }, { kind: 'email', value: 'vera@example.org' }]));
    expect(vera.tickets.map((t: TicketJson) => t.subject)).toEqual(['Chat with Vera']);
    expect((await (await api('GET', `/contacts/${body.id}`)).json()).tickets).toHaveLength(2);
    expect((await api('GET', '/contacts?email=nobody@example.org')).status).toBe(404);
    expect((await api('GET', '/contacts/ct_missing')).status).toBe(404);
    expect((await api('GET', '/contacts')).status).toBe(400);
  });
});
