/**
 * Resending a failed delivery against the real gateway, database and SMTP peer: the customer's
 * server refuses the agent's reply for good (550) and it is marked failed; once the server accepts
 * again, a resend delivers it exactly once. A second resend while it is queued changes nothing, a
 * delivered message is refused with 409, and the resend is in the audit trail. Plus the API's
 * errors: unknown ticket or message, a message nothing of ours carried, bad ids, no credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, sessionClient, type ApiCaller } from '../support/api-client.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { stopGateway } from '../support/teardown.ts';

const CUSTOMER = 'rita@example.org';
const REPLY = 'Your new badge is ready at the front desk.';

type Delivery = { status: string; attempts: number; lastError: string | null; resends: number };
type MessageJson = { id: string; direction: string; text: string; delivery?: Delivery };

describe('resending a failed delivery', () => {
  let gateway: Gateway;
  let sink: SmtpSink;
  let api: ApiCaller;
  let base: string;
  let refusing = true;
  let replyId = '';
  let inboundId = '';

  const messages = async (): Promise<MessageJson[]> => ((await (await api('GET', '/tickets/1')).json()) as { messages: MessageJson[] }).messages;
  const reply = async () => (await messages()).find((m) => m.id === replyId)!;
  const resend = (id = replyId, caller = api) => caller('POST', `/tickets/1/messages/${id}/resend`);
  const repliesAtPeer = () => sink.messages.filter((m) => m.parsed.text?.includes(REPLY));

  beforeAll(async () => {
    sink = await startSmtpSink({ rejectRecipients: (address) => refusing && address === CUSTOMER });
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('resend') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
      outbox: { pollIntervalMs: 200 },
    }), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
    api = bearerClient(base, 'test-admin-token-0123456789');
    await gateway.channels.email.intake(await buildMail({ messageId: '<badge-1@example.org>', from: `Rita <${CUSTOMER}>`, subject: 'Lost my badge' }), 'test', gateway.ingest);
    inboundId = (await messages()).find((m) => m.direction === 'inbound')!.id;
    const res = await api('POST', '/tickets/1/replies', { text: REPLY, requestId: 'badge-reply' });
    expect(res.status).toBe(201);
    replyId = ((await res.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await stopGateway(gateway, sink);
  });

  it('marks the reply failed when the customer\'s server refuses it for good, without sending it', async () => {
    const failed = await waitUntil(async () => { const m = await reply(); return m.delivery?.status === 'failed' ? m : null; }, 'the reply to fail');
    expect(failed.delivery).toMatchObject({ attempts: 1, resends: 0 });
    expect(failed.delivery!.lastError).toMatch(/550|rejected/);
    expect(repliesAtPeer()).toHaveLength(0);
  });

  it('queues it once however often the agent clicks while it waits, and delivers it exactly once', async () => {
    refusing = false;
    // The dispatcher paused: the first click finds it failed, the second finds it queued.
    await gateway.dispatcher.stop();
    const first = await resend();
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ outcome: 'requeued', delivery: { status: 'pending', resends: 1 } });
    const second = await resend();
    expect(second.status).toBe(202);
    expect(await second.json()).toMatchObject({ outcome: 'already-queued', delivery: { status: 'pending', resends: 1 } });
    gateway.dispatcher.start();
    await waitUntil(async () => (await reply()).delivery?.status === 'sent', 'the resent reply to be delivered');
    await new Promise((r) => setTimeout(r, 1000));
    const delivered = repliesAtPeer();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.envelope.to).toEqual([CUSTOMER]);
    expect(delivered[0]!.parsed.inReplyTo).toBe('<badge-1@example.org>');
    expect((await reply()).delivery).toMatchObject({ status: 'sent', lastError: null, resends: 1 });
  });

  it('refuses to resend a delivered message (409 already_sent) and sends nothing', async () => {
    const res = await resend();
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'already_sent' });
    await new Promise((r) => setTimeout(r, 500));
    expect(repliesAtPeer()).toHaveLength(1);
  });

  it('records who resent it in the audit trail, once', async () => {
    const events = await gateway.models.TicketEvent.find({ type: 'delivery.resent' }).lean();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: 'agent:api', data: { messageId: replyId, attempts: 1 } });
  });

  it('answers a concurrent double click with one requeue', async () => {
    // A second failure of the acknowledgement, which was refused too: two clicks at once.
    const ack = (await messages()).find((m) => m.direction === 'outbound' && m.id !== replyId && m.delivery?.status === 'failed');
    expect(ack, 'the refused acknowledgement').toBeDefined();
    const answers = await Promise.all([resend(ack!.id), resend(ack!.id)]);
    const outcomes = await Promise.all(answers.map(async (r) => (r.status === 202 ? ((await r.json()) as { outcome: string }).outcome : (await r.json() as { error: string }).error)));
    expect(outcomes.filter((o) => o === 'requeued')).toHaveLength(1);
    await waitUntil(async () => (await messages()).find((m) => m.id === ack!.id)?.delivery?.status === 'sent', 'the acknowledgement to be delivered');
  });

  it('refuses what cannot be resent, and unknown or malformed ids', async () => {
    const inbound = await resend(inboundId);
    expect(inbound.status).toBe(409);
    expect(await inbound.json()).toMatchObject({ error: 'not_resendable' });
    const unknownMessage = await resend('m_nothing_here');
    expect(unknownMessage.status).toBe(404);
    expect(await unknownMessage.json()).toMatchObject({ error: 'not_found' });
    const unknownTicket = await api('POST', `/tickets/999/messages/${replyId}/resend`);
    expect(unknownTicket.status).toBe(404);
    const injected = await api('POST', `/tickets/1/messages/${encodeURIComponent('{"$ne":null}')}/resend`);
    expect(injected.status).toBe(400);
    expect(await injected.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('needs an agent: no credentials 401, a console session without its CSRF token 403', async () => {
    const anonymous = await fetch(`${base}/api/v1/tickets/1/messages/${replyId}/resend`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    await gateway.agents.create({ email: 'eko@helpdesk.test', displayName: 'Eko', role: 'agent', tier: 'L1', language: 'id' }, 'eko-password-123');
    const { call } = await sessionClient(base, 'eko@helpdesk.test', 'eko-password-123');
    const noCsrf = await resend(replyId, (method, path, body) => call(method, path, body, { 'x-csrf-token': '' }));
    expect(noCsrf.status).toBe(403);
    // The agent role may resend: the answer is about the message, not the caller.
    const asAgent = await resend(replyId, call);
    expect(asAgent.status).toBe(409);
  });

  it('is in the OpenAPI document with its refusals', async () => {
    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const op = doc.paths['/tickets/{number}/messages/{messageId}/resend']?.post;
    expect(op).toBeDefined();
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['202', '409', '401', '404']));
  });
});
