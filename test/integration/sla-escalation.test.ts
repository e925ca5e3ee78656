/**
 * SLA timers end to end with a fake clock injected into the core (no sleeping until targets
 * pass): two gateways on one database with both schedulers running, a ticket's due times in the
 * ticket detail API (over a weekend in Jakarta), the warning mailed to the assignee once, a breach
 * escalating to the next tier once (audited) and mailing that tier's agents, the clock paused while
 * the ticket is pending and resumed by the customer's reply, and timers that outlive both gateways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, Clock, OutboxEntry, SlaSettings, SlaView } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

/** Jakarta is UTC+7 all year. */
const wib = (date: string, time: string) => new Date(`${date}T${time}:00+07:00`);
const MINUTE = 60_000;

interface TicketJson { status: string; tier?: string; sla: SlaView }

class FakeClock implements Clock {
  constructor(private at: Date) {}
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date): void {
    this.at = at;
  }
}

describe('SLA warnings, breaches and escalation across two gateways', () => {
  const clock = new FakeClock(wib('2026-12-04', '16:00')); // a Friday afternoon
  const dbName = testDbName('sla');
  let sink: SmtpSink;
  let gateways: Gateway[] = [];
  let base: string;
  let ticketNumber: number;
  let ticketId: string;
  const agents: Record<string, Agent> = {};

  const config = () => testConfig({
    database: { dbName },
    channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
    // The outbox leases by the same (fake) clock: a lease must outlast the jumps the test makes in time.
    outbox: { pollIntervalMs: 100, leaseMs: 30 * 24 * 60 * MINUTE },
    sla: {
      pollIntervalMs: 100, warnAtPercent: 50,
      policies: [{ name: 'standard', priority: 'normal', firstResponseMinutes: 60, resolutionMinutes: 180 }],
    },
  });
  const open = async (listen: boolean) => {
    const gateway = await createGateway(config(), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), { clock });
    await gateway.start({ listen });
    gateways.push(gateway);
    return gateway;
  };
  const api = async <T = TicketJson>(path: string): Promise<T> => {
    const res = await fetch(`${base}/api/v1${path}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
    expect(res.status).toBe(200);
    return res.json() as Promise<T>;
  };
  /** Moves time on and lets both schedulers look at once (their own polling runs meanwhile too). */
  const advance = async (to: Date) => {
    clock.set(to);
    await Promise.all(gateways.map((g) => g.sla.scheduler.runDue()));
  };
  const settle = () => Promise.all(gateways.map((g) => g.sla.tracker.idle()));
  /** The audit trail (an escalation joins it once the fan-out pass has queued its agent mails). */
  const events = async (type: string) => {
    await gateways[0]!.fanout.runDue();
    return gateways[0]!.conn.collection('ticket_events').find({ ticketId, type }).toArray();
  };
  const slaMail = async (kind: OutboxEntry['kind']) => (await gateways[0]!.repos.outbox.listByTicket(ticketId)).filter((e) => e.kind === kind);
  const received = (subject: RegExp) => sink.messages.filter((m) => subject.test(m.parsed.subject ?? ''));
  const to = (m: SmtpSink['messages'][number]) => m.envelope.to.join(',');

  beforeAll(async () => {
    sink = await startSmtpSink();
    const a = await open(true);
    await open(false);
    base = `http://127.0.0.1:${a.httpPort()}`;
    for (const [key, tier, language] of [['l1', 'L1', 'en'], ['l2a', 'L2', 'id'], ['l2b', 'L2', 'en'], ['l3', 'L3', 'en']] as const) {
      const { agent } = await a.agents.create({ email: `${key}@agents.test`, displayName: key.toUpperCase(), role: 'agent', tier, language });
      agents[key] = agent;
    }
    const result = await a.channels.email.intake(await buildMail({ messageId: '<sla-1@example.org>', subject: 'Invoice missing' }), 'test', a.ingest);
    ticketNumber = result.ticketNumber!;
    ticketId = result.ticketId!;
    await a.actions.assign(ticketNumber, agents.l1!.id, { id: 'agent:api' });
    await settle();
  });

  afterAll(async () => {
    await gateways[0]?.conn.dropDatabase().catch(() => {});
    for (const g of gateways) await g.stop();
    await sink?.stop();
  });

  it('shows the due times in business time on the ticket detail: Friday 16:00 + 3 h of work is Monday 10:00', async () => {
    const ticket = await api(`/tickets/${ticketNumber}`);
    expect(ticket.sla).toMatchObject({
      policy: 'standard', paused: false, timeZone: 'Asia/Jakarta',
      firstResponse: { dueAt: wib('2026-12-04', '17:00').toISOString(), metAt: null, breachedAt: null },
      resolution: { dueAt: wib('2026-12-07', '10:00').toISOString(), metAt: null },
    });
    expect(await api<SlaView>(`/tickets/${ticketNumber}/sla`)).toEqual(ticket.sla);
    const { policies, calendar } = await api<SlaSettings>('/sla/policies');
    expect(policies[0]!.name).toBe('standard');
    expect(calendar).toMatchObject({ timeZone: 'Asia/Jakarta', start: '08:00', end: '17:00' });
  });

  it('warns the assignee once, by mail, when half of the first-response time is used', async () => {
    await advance(wib('2026-12-04', '16:20'));
    expect(await events('sla.warning')).toHaveLength(0);
    await advance(wib('2026-12-04', '16:31'));
    await advance(wib('2026-12-04', '16:40'));
    await waitUntil(() => received(/SLA warning/).length >= 1, 'the warning mail');
    const mails = received(/SLA warning/);
    expect(mails.map(to)).toEqual(['l1@agents.test']);
    expect(mails[0]!.parsed.subject).toBe(`[#${ticketNumber}] SLA warning: first response due 2026-12-04 17:00 (Asia/Jakarta)`);
    expect(mails[0]!.parsed.text).toContain('Invoice missing');
    expect(await events('sla.warning')).toHaveLength(1);
    expect(await slaMail('sla-warning')).toHaveLength(1);
    expect((await api<SlaView>(`/tickets/${ticketNumber}/sla`)).firstResponse.warnedAt).toBe(wib('2026-12-04', '16:31').toISOString());
  });

  it('escalates a breached ticket from L1 to L2 once, audited, and mails every L2 agent in their language', async () => {
    await advance(wib('2026-12-04', '17:00'));
    await advance(wib('2026-12-04', '17:30'));
    await settle();
    await waitUntil(() => received(/SLA (breached|terlampaui)/).length >= 2, 'the breach mails');
    const escalations = await events('ticket.escalated');
    expect(escalations).toHaveLength(1);
    // A ticket without a tier is in L1 (the audit records the field as it was: unset).
    expect(escalations[0]).toMatchObject({ actor: 'system:sla', data: { from: null, to: 'L2' } });
    expect(escalations[0]!.data.reason as string).toMatch(/first response target of policy standard breached/);
    expect(await events('sla.breached')).toHaveLength(1);
    expect((await gateways[0]!.repos.tickets.byNumber(ticketNumber))!.tier).toBe('L2');
    const breach = await slaMail('sla-breach');
    expect(breach.map((e) => (e.channel === 'email' ? e.to[0]!.address : '')).sort()).toEqual(['l2a@agents.test', 'l2b@agents.test']);
    const indonesian = received(/SLA terlampaui/);
    expect(indonesian.map(to)).toEqual(['l2a@agents.test']);
    expect(indonesian[0]!.parsed.text).toContain('dieskalasi dari L1 ke L2');
    expect(received(/SLA breached/)[0]!.parsed.subject).toBe(`[#${ticketNumber}] SLA breached: first response was due 2026-12-04 17:00 (Asia/Jakarta), escalated to L2`);
    expect((await api<SlaView>(`/tickets/${ticketNumber}/sla`)).firstResponse.breachedAt).toBe(wib('2026-12-04', '17:00').toISOString());
  });

  it('pauses while the ticket waits on the customer and resumes with their reply', async () => {
    // Monday 08:10: an agent answers (on the second gateway): first response met, the ticket is pending.
    clock.set(wib('2026-12-07', '08:10'));
    await gateways[1]!.actions.reply(ticketNumber, 'sla-reply-1', 'Found it, sending it again.', { id: `agent:${agents.l2a!.id}`, name: 'L2A' });
    await settle();
    const paused = (await api(`/tickets/${ticketNumber}`)).sla;
    // Used so far: Friday 16:00-17:00 and Monday 08:00-08:10, 70 of 180 minutes.
    expect(paused).toMatchObject({ paused: true, firstResponse: { metAt: wib('2026-12-07', '08:10').toISOString() }, resolution: { dueAt: null, remainingMs: 110 * MINUTE } });
    // Far past the resolution warning (90 minutes) and even the old due time: nothing fires while paused.
    await advance(wib('2026-12-07', '12:00'));
    expect(await events('sla.warning')).toHaveLength(1);
    expect((await api<SlaView>(`/tickets/${ticketNumber}/sla`)).resolution).toMatchObject({ remainingMs: 110 * MINUTE, warnedAt: null });

    // 13:00: the customer answers; the clock runs again with 110 minutes left: due 14:50, warning at 13:20.
    clock.set(wib('2026-12-07', '13:00'));
    await gateways[0]!.channels.email.intake(await buildMail({
      messageId: '<sla-2@example.org>', subject: `Re: [#${ticketNumber}] Invoice missing`, text: 'Still not here.', inReplyTo: '<sla-1@example.org>', references: ['<sla-1@example.org>'],
    }), 'test', gateways[0]!.ingest);
    await settle();
    const resumed = (await api(`/tickets/${ticketNumber}`));
    expect(resumed.status).toBe('open');
    expect(resumed.sla).toMatchObject({ paused: false, resolution: { dueAt: wib('2026-12-07', '14:50').toISOString() } });

    await advance(wib('2026-12-07', '13:19'));
    expect(await events('sla.warning')).toHaveLength(1);
    await advance(wib('2026-12-07', '13:21'));
    await waitUntil(() => received(/SLA warning: resolution/).length === 1, 'the resolution warning');
    expect(received(/SLA warning: resolution/).map(to)).toEqual(['l1@agents.test']);
    expect(await events('sla.warning')).toHaveLength(2);
  });

  it('keeps its timers through a restart of both gateways: the next pair escalates the resolution breach to L3 once', async () => {
    for (const g of gateways) await g.stop();
    gateways = [];
    const c = await open(true);
    await open(false);
    base = `http://127.0.0.1:${c.httpPort()}`;
    await advance(wib('2026-12-07', '14:49'));
    expect(await events('sla.breached')).toHaveLength(1);
    await advance(wib('2026-12-07', '14:50'));
    await advance(wib('2026-12-07', '15:00'));
    await settle();
    await waitUntil(() => received(/SLA breached: resolution/).length === 1, 'the resolution breach mail');
    expect(received(/SLA breached: resolution/).map(to)).toEqual(['l3@agents.test']);
    expect((await events('ticket.escalated')).map((e) => e.data.to)).toEqual(['L2', 'L3']);
    expect(await events('sla.breached')).toHaveLength(2);
    expect(await c.conn.collection('sla_firings').countDocuments({ ticketId })).toBe(4);
    expect((await api(`/tickets/${ticketNumber}`)).tier).toBe('L3');
  });
});
