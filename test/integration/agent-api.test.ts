/** The agent REST API over HTTP: auth, newest-first cursor pagination, one ticket with its messages, readiness. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('agent API', () => {
  let gateway: Gateway;
  let base: string;
  const token = 'test-admin-token-0123456789';
  const get = (path: string, auth = true) => fetch(`${base}${path}`, auth ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    const config = testConfig({ database: { dbName: testDbName('api') } });
    gateway = await createGateway(config, mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    for (let i = 1; i <= 5; i++) {
      await gateway.channels.email.intake(await buildMail({ messageId: `<api-${i}@example.org>`, from: `user${i}@example.org`, subject: `Question ${i}` }), 'test', gateway.ingest);
    }
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('answers 401 without the admin token, and with a wrong one', async () => {
    expect((await get('/api/v1/tickets', false)).status).toBe(401);
    const wrong = await fetch(`${base}/api/v1/tickets`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('lists tickets newest first with a cursor', async () => {
    const first = await (await get('/api/v1/tickets?limit=2')).json();
    expect(first.tickets.map((t: { number: number }) => t.number)).toEqual([5, 4]);
    expect(first.tickets[0]).toMatchObject({ subject: 'Question 5', status: 'new', requester: { emails: ['user5@example.org'] } });
    const second = await (await get(`/api/v1/tickets?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.tickets.map((t: { number: number }) => t.number)).toEqual([3, 2]);
    const last = await (await get(`/api/v1/tickets?limit=2&cursor=${second.nextCursor}`)).json();
    expect(last.tickets.map((t: { number: number }) => t.number)).toEqual([1]);
    expect(last.nextCursor).toBeNull();
  });

  it('rejects a bad query with a 400 naming the field', async () => {
    const res = await get('/api/v1/tickets?limit=1000');
    expect(res.status).toBe(400);
    expect((await res.json()).fields[0].field).toBe('limit');
    const operator = await get('/api/v1/tickets?cursor[$gt]=0');
    expect(operator.status).toBe(400);
    expect((await operator.json()).fields[0].field).toBe('cursor[$gt]');
  });

  it('shows one ticket with its inbound message and the queued acknowledgement', async () => {
    const body = await (await get('/api/v1/tickets/3')).json();
    expect(body.number).toBe(3);
    const [inbound, outbound] = body.messages;
    expect(inbound).toMatchObject({ direction: 'inbound', channel: 'email', subject: 'Question 3', from: { address: 'user3@example.org' }, visibleText: 'Please help.' });
    expect(inbound.decisions.map((d: { step: string; rule: string }) => `${d.step}:${d.rule}`)).toEqual(['classify:human', 'thread:new-ticket', 'ack:queued']);
    expect(outbound).toMatchObject({ direction: 'outbound', subject: expect.stringContaining('[#3]') });
    expect((await get('/api/v1/tickets/999')).status).toBe(404);
  });

  it('keeps acknowledgements pending, unattempted, while no SMTP server is configured', async () => {
    await gateway.dispatcher.drain();
    const entries = await gateway.models.Outbox.find().lean();
    expect(entries).toHaveLength(5);
    expect(entries.every((e) => e.status === 'pending' && e.attempts === 0)).toBe(true);
  });

  it('reports readiness of the database and the channels, with details only for the admin', async () => {
    const res = await get('/readyz');
    expect(res.status).toBe(200);
    expect((await res.json()).checks.database.ok).toBe(true);
    const anonymous = await get('/readyz', false);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ ok: true });
    expect(await (await fetch(`${base}/readyz`, { headers: { authorization: 'Bearer wrong-token' } })).json()).toEqual({ ok: true });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
