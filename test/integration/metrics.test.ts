/**
 * GET /metrics: after real mail went through Dovecot, the gateway and the SMTP peer, a chat
 * visitor wrote over a real socket and a web form was submitted, a Prometheus scrape shows what
 * happened: messages by channel and outcome, their latency, the outbox, the quarantine, delivery
 * failures, IMAP reconnects, connected chat visitors and agents, and the event-loop lag; and only
 * with the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signFormToken } from '../../channels/webform/form-token.ts';
import { tokenKeys } from '../../src/gateway.ts';
import { chatConfig, connectAgent, connectVisitor, issueVisitor, request } from '../support/chat.ts';
import { dovecotAvailable } from '../support/dovecot.ts';
import { startEmailGateway, type EmailGateway } from '../support/email-gateway.ts';
import { buildMail } from '../support/mail-builder.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';

const USER = 'metricsdesk';
const TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample line, e.g. `helpdesk_outbox_depth{status="pending"}`; undefined when absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'metrics'))('Prometheus metrics', () => {
  let env: EmailGateway;
  const scrape = async (token?: string) => {
    const res = await fetch(`http://127.0.0.1:${env.gateway.httpPort()}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };

  beforeAll(async () => {
    env = await startEmailGateway(USER, {}, { metrics: { enabled: true, token: TOKEN }, ...chatConfig() });
  });
  afterAll(() => env?.stop());

  it('refuses a scrape without the token', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong-token-0123456789abcdef')).status).toBe(401);
  });

  it('counts ingested mail, latency, the outbox, the quarantine, delivery failures and reconnects', async () => {
    const { dovecot, sink } = env;
    env.sink.setFailNext(1); // the first acknowledgement fails once, then goes out on retry
    for (const i of [1, 2]) {
      const raw = await buildMail({ messageId: `<metrics-${i}@example.org>`, from: `customer${i}@example.org`, subject: `Metrics ${i}` });
      await dovecot.deliver({ user: USER, raw, envelopeFrom: `customer${i}@example.org` });
    }
    await dovecot.deliver({ user: USER, raw: Buffer.from([
      'From: broken@example.org', 'To: support@helpdesk.test', 'Subject: Broken', 'Message-ID: <metrics-broken@example.org>',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed', '', 'No boundary here.', '',
    ].join('\r\n')) });
    await env.stored('metrics-1@example.org');
    await env.stored('metrics-2@example.org');
    await sink.waitFor(2, 30_000);

    const { status, type, body } = await waitUntil(async () => {
      const s = await scrape(TOKEN);
      // The peer has both mails; their outcomes are recorded right after (a group commit).
      const recorded = sample(s.body, 'helpdesk_outbox_depth{status="pending"}') === 0;
      return recorded && sample(s.body, 'helpdesk_messages_ingested_total{channel="email",outcome="quarantined"}') === 1 ? s : null;
    }, 'the quarantined mail to be counted and the sent acknowledgements recorded');
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(body, 'helpdesk_messages_ingested_total{channel="email",outcome="created"}')).toBe(2);
    expect(sample(body, 'helpdesk_ingest_duration_seconds_count{channel="email"}')).toBe(3);
    expect(sample(body, 'helpdesk_ingest_duration_seconds_sum{channel="email"}')).toBeGreaterThan(0);
    expect(sample(body, 'helpdesk_quarantine_held')).toBe(1);
    expect(sample(body, 'helpdesk_outbox_depth{status="pending"}')).toBe(0);
    expect(sample(body, 'helpdesk_delivery_failures_total{channel="email",final="false"}')).toBe(1);
    expect(sample(body, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    expect(sample(body, 'helpdesk_reconnects_total{channel="email",link="imap"}')).toBeUndefined();
    expect(await dovecot.kick(USER)).toBe(true);
    const after = await waitUntil(async () => {
      const s = await scrape(TOKEN);
      return (sample(s.body, 'helpdesk_reconnects_total{channel="email",link="imap"}') ?? 0) >= 1 ? s : null;
    }, 'the IMAP reconnect to be counted');
    expect(sample(after.body, 'helpdesk_messages_ingested_total{channel="email",outcome="created"}')).toBe(2);
  });

  it('counts chat and web form messages by channel, and the chat visitors and agents connected', async () => {
    const base = `http://127.0.0.1:${env.gateway.httpPort()}`;
    const before = (await scrape(TOKEN)).body;
    expect(sample(before, 'helpdesk_live_connections{channel="chat",role="visitor"}')).toBe(0);
    expect(sample(before, 'helpdesk_live_connections{channel="chat",role="agent"}')).toBe(0);

    const { body: issued } = await issueVisitor(base);
    const visitor = await connectVisitor(base, issued.visitorToken);
    const agent = await connectAgent(base, 'test-admin-token-0123456789', 'Rina');
    try {
      const sent = await request<{ ok: boolean }>(visitor, 'message:send', { clientId: 'metrics-chat-1', text: 'Halo, pesanan saya belum sampai.' });
      expect(sent.ok).toBe(true);
      const form = await fetch(`${base}/api/v1/forms/submit`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'metrics-form-0001' },
        body: JSON.stringify({
          name: 'Dewi', email: 'dewi@example.org', subject: 'Invoice', message: 'Please resend my invoice.',
          formToken: signFormToken(tokenKeys(env.gateway.config), new Date(Date.now() - 10_000)),
        }),
      });
      expect(form.status).toBe(201);

      const { body } = await scrape(TOKEN);
      expect(sample(body, 'helpdesk_messages_ingested_total{channel="chat",outcome="created"}')).toBe(1);
      expect(sample(body, 'helpdesk_messages_ingested_total{channel="webform",outcome="created"}')).toBe(1);
      expect(sample(body, 'helpdesk_ingest_duration_seconds_count{channel="chat"}')).toBe(1);
      expect(sample(body, 'helpdesk_ingest_duration_seconds_count{channel="webform"}')).toBe(1);
      expect(sample(body, 'helpdesk_live_connections{channel="chat",role="visitor"}')).toBe(1);
      expect(sample(body, 'helpdesk_live_connections{channel="chat",role="agent"}')).toBe(1);
    } finally {
      visitor.close();
      agent.close();
    }
    const gone = await waitUntil(async () => {
      const s = await scrape(TOKEN);
      const left = ['visitor', 'agent'].map((role) => sample(s.body, `helpdesk_live_connections{channel="chat",role="${role}"}`));
      return left.every((n) => n === 0) ? s : null;
    }, 'the visitor and the agent to be counted as gone');
    // The web form's acknowledgement went through the same outbox as the mail's.
    await env.sink.waitFor(3, 30_000);
    expect(sample(gone.body, 'helpdesk_messages_ingested_total{channel="email",outcome="created"}')).toBe(2);
  });
});
