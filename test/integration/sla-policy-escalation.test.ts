/**
 * A customer organization's own SLA policy (by the requester's email domain) with its own calendar
 * and a configured escalation tier: the breach skips L2 and goes straight to L3, and a ticket of
 * another domain keeps the general policy. Fake clock injected into the core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock, SlaView } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const MINUTE = 60_000;
/** Saturday 5 December 2026, 10:00 in Jakarta: outside the office calendar's working days. */
const SATURDAY = new Date('2026-12-05T10:00:00+07:00');

describe('SLA policy of a customer organization with a configured escalation tier', () => {
  let now = SATURDAY;
  const clock: Clock = { now: () => new Date(now) };
  let sink: SmtpSink;
  let gateway: Gateway;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const config = testConfig({
      database: { dbName: testDbName('sla_policy') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
      outbox: { pollIntervalMs: 100, leaseMs: 30 * 24 * 60 * MINUTE },
      sla: {
        pollIntervalMs: 100,
        policies: [
          { name: 'office', priority: 'normal', firstResponseMinutes: 60, resolutionMinutes: 540 },
          {
            name: 'acme-24x7', priority: 'normal', domain: 'acme.example', firstResponseMinutes: 15, resolutionMinutes: 120, escalateTo: 'L3',
            calendar: { timeZone: 'Asia/Jakarta', workingDays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59', holidays: [] },
          },
        ],
      },
    });
    gateway = await createGateway(config, mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), { clock });
    await gateway.start({ listen: false });
    await gateway.agents.create({ email: 'l2@agents.test', displayName: 'L2', role: 'agent', tier: 'L2', language: 'en' });
    await gateway.agents.create({ email: 'l3@agents.test', displayName: 'L3', role: 'agent', tier: 'L3', language: 'en' });
  });

  afterAll(async () => {
    await stopGateway(gateway, sink);
  });

  it('counts the organization on its own 24/7 calendar, escalates it straight to L3, and leaves the office ticket waiting for Monday', async () => {
    const intake = async (id: string, from: string) => {
      const result = await gateway.channels.email.intake(await buildMail({ messageId: `<${id}@example.org>`, from, subject: `Down ${id}` }), 'test', gateway.ingest);
      return result.ticketNumber!;
    };
    const acme = await intake('acme-1', 'Ops <ops@ACME.example>');
    const other = await intake('other-1', 'Ann <ann@other.example>');
    await gateway.sla.tracker.idle();
    const view = async (n: number) => gateway.sla.tracker.view((await gateway.repos.tickets.byNumber(n))!.id) as Promise<SlaView>;
    expect(await view(acme)).toMatchObject({ policy: 'acme-24x7', firstResponse: { dueAt: new Date(SATURDAY.getTime() + 15 * MINUTE).toISOString() } });
    // The office calendar has no Saturday: due Monday 09:00.
    expect(await view(other)).toMatchObject({ policy: 'office', firstResponse: { dueAt: new Date('2026-12-07T09:00:00+07:00').toISOString() } });

    now = new Date(SATURDAY.getTime() + 20 * MINUTE);
    await gateway.sla.scheduler.runDue();
    await waitUntil(() => sink.messages.some((m) => /SLA breached/.test(m.parsed.subject ?? '')), 'the breach mail');
    expect((await gateway.repos.tickets.byNumber(acme))!.tier).toBe('L3');
    expect((await gateway.repos.tickets.byNumber(other))!.tier).toBeUndefined();
    const breaches = sink.messages.filter((m) => /SLA breached/.test(m.parsed.subject ?? ''));
    expect(breaches.map((m) => m.envelope.to.join(','))).toEqual(['l3@agents.test']);
    expect(breaches[0]!.parsed.text).toContain('escalated from L1 to L3');
    expect((await view(other)).firstResponse.breachedAt).toBeNull();
  });
});
