/**
 * Agent actions over the REST API, through the core's TicketActions: field changes and escalation
 * with audit events and live events, a public reply queued for the customer's channel, an
 * internal note that never leaves, idempotent by request id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketEvent } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('ticket actions', () => {
  let gateway: Gateway;
  let base: string;
  const live: TicketEvent[] = [];
  const call = (method: string, path: string, body?: unknown) => fetch(`${base}/api/v1${path}`, {
    method, headers: { authorization: 'Bearer test-admin-token-0123456789', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('actions') } }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    await gateway.channels.email.intake(await buildMail({ messageId: '<act-1@example.org>', from: 'Cara <cara@example.org>', subject: 'Broken login' }), 'test', gateway.ingest);
    // The actions' events from here on (ingest publishes the stored mail's own event before).
    gateway.publisher.subscribe((e) => live.push(e));
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('changes status, priority, category and assignee, each with its audit event and live event', async () => {
    const res = await call('PATCH', '/tickets/1', { status: 'open', priority: 'high', category: 'accounts', assigneeId: 'agent-7' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'open', priority: 'high', category: 'accounts', assigneeId: 'agent-7' });
    const types = ['ticket.status-changed', 'ticket.priority-changed', 'ticket.category-changed', 'ticket.assigned'];
    expect(live.map((e) => e.type)).toEqual(types);
    // An assignment mails the assignee: its event joins the audit trail once the fan-out pass queued that.
    await gateway.fanout.runDue();
    const events = await gateway.models.TicketEvent.find({ type: { $in: types } }).lean();
    expect(events.map((e) => e.actor)).toEqual(['agent:api', 'agent:api', 'agent:api', 'agent:api']);
    expect(events.find((e) => e.type === 'ticket.priority-changed')!.data).toEqual({ from: 'normal', to: 'high' });
    // The same change again changes nothing and records nothing.
    await call('PATCH', '/tickets/1', { priority: 'high' });
    expect(live).toHaveLength(4);
    expect((await call('PATCH', '/tickets/1', { category: null })).status).toBe(200);
    expect((await (await call('GET', '/tickets/1')).json()).category).toBeNull();
  });

  it('rejects an unknown status and a ticket that does not exist', async () => {
    const bad = await call('PATCH', '/tickets/1', { status: 'archived' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).fields[0].field).toBe('status');
    expect((await call('PATCH', '/tickets/99', { status: 'open' })).status).toBe(404);
    expect((await call('POST', '/tickets/99/notes', { text: 'x' })).status).toBe(404);
  });

  it('escalates to a tier with the reason in the audit trail', async () => {
    const res = await call('POST', '/tickets/1/escalate', { tier: 'L2', reason: 'needs a database specialist' });
    expect(await res.json()).toMatchObject({ tier: 'L2' });
    await gateway.fanout.runDue(); // the escalation's agent mails queued, its event is in the audit trail
    const event = await gateway.models.TicketEvent.findOne({ type: 'ticket.escalated' }).lean();
    expect(event!.data).toEqual({ from: null, to: 'L2', reason: 'needs a database specialist' });
  });

  it('queues a public reply as a mail in the thread, once per request id', async () => {
    const first = await call('POST', '/tickets/1/replies', { text: 'Please try again now.', requestId: 'r-1' });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ author: 'agent', direction: 'outbound', internal: false, visibleText: 'Please try again now.' });
    await call('POST', '/tickets/1/replies', { text: 'Please try again now.', requestId: 'r-1' });
    const replies = await gateway.models.Outbox.find({ kind: 'agent-reply' }).lean();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ channel: 'email', to: [{ address: 'cara@example.org', name: 'Cara' }], inReplyTo: 'act-1@example.org' });
    expect(replies[0]!.text).toContain('Please try again now.');
    const ticket = await (await call('GET', '/tickets/1')).json();
    expect(ticket.status).toBe('pending');
    const shown = ticket.messages.filter((m: { externalId: string }) => m.externalId === 'action:r-1');
    expect(shown).toHaveLength(1);
    expect(shown[0].delivery).toMatchObject({ status: 'pending' });
  });

  it('keeps an internal note on the ticket and sends nothing', async () => {
    const before = await gateway.models.Outbox.countDocuments();
    const res = await call('POST', '/tickets/1/notes', { text: 'Customer is on the legacy plan.' });
    expect(await res.json()).toMatchObject({ internal: true, author: 'agent' });
    expect(await gateway.models.Outbox.countDocuments()).toBe(before);
    expect(live.at(-1)!.type).toBe('agent.noted');
  });
});
