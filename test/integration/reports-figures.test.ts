/**
 * Reports from a seeded history (tickets, messages, audit events and suggestions written to the
 * real database with chosen times) match figures computed by hand; the CSV export carries the same
 * numbers; the range and filters select the right tickets; bad ranges are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, type ApiCaller } from '../support/api-client.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { stopGateway } from '../support/teardown.ts';

const T0 = Date.parse('2026-01-05T08:00:00Z');
const at = (minutes: number, base = T0) => new Date(base + minutes * 60_000);
const RANGE = 'from=2026-01-05&to=2026-01-12';

type Row = Record<string, number | string | null>;

describe('reports', () => {
  let gateway: Gateway;
  let api: ApiCaller;

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('reports') } }), mongoUri(), createLogger('silent'));
    await gateway.start();
    api = bearerClient(`http://127.0.0.1:${gateway.httpPort()}`, 'test-admin-token-0123456789');
    const { Ticket, Message, TicketEvent } = gateway.models;
    const ticket = (n: number, fields: Record<string, unknown>, created = at(0)) => ({
      _id: `tk_r${n}`, number: n, subject: `ticket ${n}`, status: 'open', priority: 'normal', requesterId: 'ct_x', participantIds: [], locale: 'en',
      flags: [], tags: [], createdAt: created, updatedAt: created, lastMessageAt: created, ...fields,
    });
    await Ticket.collection.insertMany([
      ticket(1, { channel: 'email', category: 'network', tier: 'L1', assigneeId: 'ag_a' }),
      ticket(2, { channel: 'email', category: 'network', tier: 'L2', assigneeId: 'ag_a' }),
      ticket(3, { channel: 'chat', category: 'billing', tier: 'L1', assigneeId: 'ag_b' }),
      ticket(4, { channel: 'webform', category: 'billing', tier: 'L1', assigneeId: 'ag_b' }),
      ticket(5, { channel: 'email' }),
      ticket(6, { channel: 'email', category: 'network', assigneeId: 'ag_a' }, new Date('2026-01-20T08:00:00Z')), // outside the range
    ] as never[]);
    let m = 0;
    const message = (ticketId: string, minutes: number, fields: Record<string, unknown>) => ({
      _id: `ms_r${++m}`, ticketId, ticketNumber: Number(ticketId.slice(4)), channel: 'email', externalId: `r-${m}`, from: {}, to: [], cc: [],
      subject: 's', text: 't', visibleText: 't', attachments: [], decisions: [], complete: true, createdAt: at(minutes), ...fields,
    });
    const reply = { direction: 'outbound', author: 'agent' };
    await Message.collection.insertMany([
      message('tk_r1', 0, { direction: 'inbound', role: 'customer', opensTicket: true, classification: 'human' }),
      message('tk_r1', 10, reply), message('tk_r1', 45, reply),
      message('tk_r2', 30, reply),
      message('tk_r3', 5, reply),
      message('tk_r3', 100, { direction: 'inbound', role: 'customer', classification: 'human' }), // writes again after it was resolved
      message('tk_r4', 1, { direction: 'outbound', author: 'agent', internal: true }), // a note is no response
      message('tk_r4', 50, reply),
      message('tk_r6', 15 * 24 * 60 + 3, reply), // 3 minutes after it opened on January 20
    ] as never[]);
    let e = 0;
    const event = (ticketId: string, minutes: number, type: string, data: Record<string, unknown> = {}) => ({ _id: `ev_r${++e}`, ticketId, type, actor: 'agent:x', data, at: at(minutes) });
    const resolved = { from: 'open', to: 'resolved' };
    await TicketEvent.collection.insertMany([
      event('tk_r1', 60, 'ticket.status-changed', resolved),
      event('tk_r2', 20, 'ticket.escalated', { from: 'L1', to: 'L2', reason: 'network' }),
      event('tk_r2', 200, 'sla.breached', { target: 'resolution' }),
      event('tk_r2', 240, 'ticket.status-changed', resolved),
      event('tk_r3', 20, 'ticket.status-changed', resolved),
      event('tk_r5', 15, 'ticket.status-changed', resolved),
      event('tk_r5', 30, 'ticket.status-changed', { from: 'resolved', to: 'open' }),
    ] as never[]);
    const kb = gateway.conn.collection('kb_suggestions');
    await kb.insertMany([
      { _id: 'tk_r1~kb_1', ticketId: 'tk_r1', articleId: 'kb_1', answer: 'solved' },
      { _id: 'tk_r1~kb_2', ticketId: 'tk_r1', articleId: 'kb_2' },
      { _id: 'tk_r3~kb_1', ticketId: 'tk_r3', articleId: 'kb_1', answer: 'solved' },
    ] as never[]);
  });
  afterAll(async () => {
    await stopGateway(gateway);
  });

  const report = async (query: string) => {
    const res = await api('GET', `/reports?${query}`);
    expect(res.status).toBe(200);
    return res.json() as Promise<{ slaAvailable: boolean; total: Row; by: Record<'agent' | 'tier' | 'channel' | 'category', Row[]> }>;
  };

  it('matches the hand-computed figures in total, per agent and per tier', async () => {
    const r = await report(RANGE);
    expect(r.slaAvailable).toBe(true);
    // First responses 10, 30, 5, 50 min; resolutions 60, 240, 20, 15 min; #2 breached; #3 and #5 reopened.
    expect(r.total).toEqual({
      key: 'total', ticketsHandled: 5, firstResponseMedianMin: 20, firstResponseP90Min: 50, resolutionMedianMin: 40, resolutionP90Min: 240,
      slaCompliance: 0.8, escalations: 1, reopenRate: 0.4, articlesSuggested: 3, articlesAccepted: 2,
    });
    expect(r.by.agent).toEqual([
      { key: '(unassigned)', ticketsHandled: 1, firstResponseMedianMin: null, firstResponseP90Min: null, resolutionMedianMin: 15, resolutionP90Min: 15,
        slaCompliance: 1, escalations: 0, reopenRate: 1, articlesSuggested: 0, articlesAccepted: 0 },
      { key: 'ag_a', ticketsHandled: 2, firstResponseMedianMin: 20, firstResponseP90Min: 30, resolutionMedianMin: 150, resolutionP90Min: 240,
        slaCompliance: 0.5, escalations: 1, reopenRate: 0, articlesSuggested: 2, articlesAccepted: 1 },
      { key: 'ag_b', ticketsHandled: 2, firstResponseMedianMin: 27.5, firstResponseP90Min: 50, resolutionMedianMin: 20, resolutionP90Min: 20,
        slaCompliance: 1, escalations: 0, reopenRate: 0.5, articlesSuggested: 1, articlesAccepted: 1 },
    ]);
    expect(r.by.tier).toEqual([
      { key: 'L1', ticketsHandled: 4, firstResponseMedianMin: 10, firstResponseP90Min: 50, resolutionMedianMin: 20, resolutionP90Min: 60,
        slaCompliance: 1, escalations: 0, reopenRate: 0.5, articlesSuggested: 3, articlesAccepted: 2 },
      { key: 'L2', ticketsHandled: 1, firstResponseMedianMin: 30, firstResponseP90Min: 30, resolutionMedianMin: 240, resolutionP90Min: 240,
        slaCompliance: 0, escalations: 1, reopenRate: 0, articlesSuggested: 0, articlesAccepted: 0 },
    ]);
    expect(r.by.channel.map((x) => [x.key, x.ticketsHandled])).toEqual([['chat', 1], ['email', 3], ['webform', 1]]);
    expect(r.by.category.map((x) => [x.key, x.ticketsHandled])).toEqual([['(none)', 1], ['billing', 2], ['network', 2]]);
  });

  it('filters by channel and category, and by the date range', async () => {
    const email = await report(`${RANGE}&channel=email`);
    expect(email.total).toMatchObject({ ticketsHandled: 3, firstResponseMedianMin: 20, resolutionMedianMin: 60, reopenRate: 0.3333 });
    const billing = await report(`${RANGE}&category=billing`);
    expect(billing.by.agent.map((x) => [x.key, x.ticketsHandled])).toEqual([['ag_b', 2]]);
    const later = await report('from=2026-01-12&to=2026-02-01');
    expect(later.total).toMatchObject({ ticketsHandled: 1, firstResponseMedianMin: 3 });
  });

  it('exports the same numbers as CSV', async () => {
    const res = await api('GET', `/reports.csv?${RANGE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n').map((l) => l.split(','));
    const [header, ...rows] = lines;
    expect(header).toEqual(['dimension', 'key', 'ticketsHandled', 'firstResponseMedianMin', 'firstResponseP90Min', 'resolutionMedianMin', 'resolutionP90Min',
      'slaCompliance', 'escalations', 'reopenRate', 'articlesSuggested', 'articlesAccepted']);
    const json = await report(RANGE);
    const asCsv = (dimension: string, row: Row) => [dimension, ...header!.slice(1).map((c) => (row[c] === null ? '' : String(row[c])))];
    expect(rows[0]).toEqual(asCsv('total', json.total));
    expect(rows).toContainEqual(asCsv('agent', json.by.agent.find((x) => x.key === 'ag_b')!));
    expect(rows).toContainEqual(['tier', 'L2', '1', '30', '30', '240', '240', '0', '1', '0', '0', '0']);
    expect(rows).toHaveLength(1 + 3 + 2 + 3 + 3);
  });

  it('refuses a reversed or too long range with a clear error', async () => {
    for (const q of ['from=2026-01-12&to=2026-01-05', 'from=2024-01-01&to=2026-01-05', 'from=yesterday&to=2026-01-05']) {
      const res = await api('GET', `/reports?${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error).toBe('invalid_request');
    }
  });
});
