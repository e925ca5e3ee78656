/**
 * Agents' notification mails and their replies, against the real gateway, database and an SMTP
 * peer: a new ticket mails the agents of its tier (in each one's language, not those who switched
 * it off, not disabled ones), an assignment mails the assignee, a customer reply mails the
 * assignee until they switch it off, an escalation mails the new tier once. Each mail carries an
 * agent token for that agent: an authenticated reply to it reaches the customer in their thread,
 * `#note` makes an internal note that goes nowhere, and a forged or replayed token posts nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signReplyToken, verifyAgentToken, type Agent, type InboundMessage, type StoredMessage } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient } from '../support/api-client.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail, type TestMail } from '../support/mail-builder.ts';
import { waitUntil } from '../support/skip.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../support/smtp-sink.ts';
import { countOutbox, outboxEntries } from '../support/outbox.ts';
import { stopGateway } from '../support/teardown.ts';

const keys = { keys: [{ id: '1', secret: 'test-secret-0123456789abcdef' }] };
const CUSTOMER = 'ann@example.org';
const authResults = (domain: string, verdict: 'pass' | 'fail') => ({
  'Authentication-Results': `mx.helpdesk.test; spf=${verdict} smtp.mailfrom=${domain}; dkim=${verdict} header.d=${domain}; dmarc=${verdict} header.from=${domain}`,
});

const inbound = (channel: 'chat' | 'webform', externalId: string, address: string, subject: string): InboundMessage => ({
  channel, externalId, from: { name: 'Rani', address, channelUserId: `u_${externalId}` }, to: [], cc: [], subject, text: 'My order never came',
  visibleText: 'My order never came', attachments: [], receivedAt: new Date(), classification: 'human', classificationReason: 'test',
  threadHints: { replyTokens: [], references: [], ...(channel === 'chat' ? { conversationId: `conv-${externalId}` } : {}) },
});

describe('agent notification mails and replies to them', () => {
  let sink: SmtpSink;
  let gateway: Gateway;
  let ticketNumber: number;
  const agents: Record<string, Agent> = {};

  const to = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
  const notifications = (address: string) => to(address).filter((m) => m.parsed.headers.get('auto-submitted') === 'auto-generated');
  const waitForMails = (address: string, count: number, pick = notifications): Promise<SinkMessage[]> =>
    waitUntil(() => (pick(address).length >= count ? pick(address) : null), `${count} mail(s) to ${address}`, 20_000);
  const intake = async (mail: TestMail): Promise<StoredMessage> => {
    await gateway.channels.email.intake(await buildMail(mail), 'test', gateway.ingest);
    return (await gateway.repos.messages.byExternalId('email', String(mail.messageId).replace(/^<|>$/g, '')))!;
  };
  /** Every queued notification of one agent (the outbox is the truth; the SMTP peer follows). */
  const queuedFor = (agent: Agent) => outboxEntries(gateway.conn.db!, { kind: 'agent-notification', 'to.address': agent.email });
  /** Runs the fan-out pass to the end (its timer and the publisher run it too; a repeat is harmless). */
  const fanOut = () => gateway.fanout.runDue();
  const replyTo = (m: SinkMessage) => (m.parsed.replyTo?.value[0]?.address ?? '');
  const tokenOf = (m: SinkMessage) => /^support\+([a-z0-9]+)@/.exec(replyTo(m))![1]!;

  beforeAll(async () => {
    sink = await startSmtpSink();
    gateway = await createGateway(testConfig({
      database: { dbName: testDbName('agentnotify') },
      channels: { email: { smtp: { host: sink.host, port: sink.port, tls: false } } },
      outbox: { pollIntervalMs: 100 },
      sla: { enabled: false },
    }, { TRUSTED_AUTHSERV_IDS: 'mx.helpdesk.test' }), mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    await gateway.start();
    const make = async (key: string, tier: Agent['tier'], language: Agent['language'], notifications = {}) => {
      agents[key] = (await gateway.agents.create({ email: `${key}@agents.test`, displayName: key.toUpperCase(), role: 'agent', tier, language, notifications })).agent;
    };
    await make('lia', 'L1', 'en');
    await make('budi', 'L1', 'id');
    await make('quiet', 'L1', 'en', { newTickets: false });
    await make('gone', 'L1', 'en');
    await make('sam', 'L2', 'en');
    await make('tia', 'L2', 'id');
    await gateway.agents.update(agents.gone!.id, { disabled: true });
  });

  afterAll(async () => {
    await stopGateway(gateway, sink);
  });

  it('mails a new ticket to the agents of its tier, each in their language, with their own reply token and a console link', async () => {
    ticketNumber = (await intake({ messageId: '<ann-1@example.org>', from: `Ann <${CUSTOMER}>`, subject: 'VPN drops every hour', text: 'Since Monday the VPN drops every hour.' })).ticketNumber;
    const [english] = await waitForMails('lia@agents.test', 1);
    const [indonesian] = await waitForMails('budi@agents.test', 1);
    expect(english!.parsed.subject).toBe(`[#${ticketNumber}] New ticket in L1: VPN drops every hour`);
    expect(english!.parsed.text).toContain('Since Monday the VPN drops every hour.');
    expect(english!.parsed.text).toContain(`http://127.0.0.1/console#/tickets/${ticketNumber}`);
    expect(english!.parsed.text).toContain('Ann <ann@example.org>');
    expect(indonesian!.parsed.subject).toBe(`[#${ticketNumber}] Tiket baru di L1: VPN drops every hour`);
    expect(verifyAgentToken(keys, tokenOf(english!), 'lia@agents.test')).toEqual({ ticketNumber, issuedToSender: true });
    expect(verifyAgentToken(keys, tokenOf(indonesian!), 'lia@agents.test')!.issuedToSender).toBe(false);
    // Switched off, disabled, or another tier: nothing.
    await fanOut();
    for (const key of ['quiet', 'gone', 'sam', 'tia']) expect(await queuedFor(agents[key]!)).toHaveLength(0);
    // The customer's own mail (the acknowledgement) carries a customer token, never an agent token.
    const [ack] = await waitForMails(CUSTOMER, 1, to);
    expect(replyTo(ack!)).toBe(`support+${signReplyToken(keys, ticketNumber)}@helpdesk.test`);
  });

  it('mails an assignment to the assignee, not to an agent who takes the ticket themselves', async () => {
    await gateway.actions.assign(ticketNumber, agents.lia!.id, { id: `agent:${agents.lia!.id}`, name: 'LIA' });
    await gateway.actions.assign(ticketNumber, agents.sam!.id, { id: `agent:${agents.lia!.id}`, name: 'LIA' });
    const [assigned] = await waitForMails('sam@agents.test', 1);
    expect(assigned!.parsed.subject).toBe(`[#${ticketNumber}] Assigned to you: VPN drops every hour`);
    expect(assigned!.parsed.text).toContain('LIA assigned this ticket to you.');
    expect(assigned!.parsed.text).toContain('Since Monday the VPN drops every hour.');
    await fanOut();
    expect(await queuedFor(agents.lia!)).toHaveLength(1); // the new-ticket mail only
  });

  it('mails the assignee each customer reply, until they switch it off themselves', async () => {
    await intake({
      messageId: '<ann-2@example.org>', from: CUSTOMER, to: `support+${signReplyToken(keys, ticketNumber)}@helpdesk.test`,
      subject: `Re: [#${ticketNumber}] VPN drops every hour`, text: 'It just dropped again at 10:02.',
    });
    const mails = await waitForMails('sam@agents.test', 2);
    expect(mails[1]!.parsed.subject).toBe(`[#${ticketNumber}] Customer replied: VPN drops every hour`);
    expect(mails[1]!.parsed.text).toContain('It just dropped again at 10:02.');

    const { token } = await gateway.agents.issueToken(agents.sam!.id, 'test');
    const res = await bearerClient(`http://127.0.0.1:${gateway.httpPort()}`, token)('PATCH', '/auth/me', { notifications: { customerReplies: false } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Agent).notifications).toEqual({ newTickets: true, assignments: true, customerReplies: false });
    await intake({
      messageId: '<ann-3@example.org>', from: CUSTOMER, to: `support+${signReplyToken(keys, ticketNumber)}@helpdesk.test`,
      subject: `Re: [#${ticketNumber}] VPN drops every hour`, text: 'And again at 11:02.',
    });
    await fanOut();
    expect(await queuedFor(agents.sam!)).toHaveLength(2);
  });

  it('sends an authenticated reply to a notification on to the customer, threaded, without the quoted notification', async () => {
    const [, replied] = notifications('sam@agents.test');
    const before = to(CUSTOMER).length;
    const stored = await intake({
      messageId: '<sam-1@agents.test>', from: `Sam <${agents.sam!.email}>`, to: replyTo(replied!), headers: authResults('agents.test', 'pass'),
      subject: `Re: ${replied!.parsed.subject}`, inReplyTo: replied!.parsed.messageId, references: [replied!.parsed.messageId!],
      text: `Please update the VPN client to 5.2, that fixes it.\n\nOn Mon, 30 Nov 2026 at 10:03, Support <support@helpdesk.test> wrote:\n> It just dropped again at 10:02.\n> Reply to this mail to answer the customer\n`,
    });
    expect(stored.author).toBe('agent');
    expect(stored.internal).toBeUndefined();
    const [, answer] = await waitForMails(CUSTOMER, before + 1, to);
    expect(answer!.parsed.text).toContain('Please update the VPN client to 5.2');
    expect(answer!.parsed.text).not.toContain('Reply to this mail to answer the customer');
    expect(answer!.parsed.subject).toContain(`[#${ticketNumber}]`);
    // In the customer's thread: answering their latest mail, with our customer token (no agent token).
    expect(answer!.parsed.inReplyTo).toBe('<ann-3@example.org>');
    expect(answer!.parsed.references).toContain('<ann-1@example.org>');
    expect(replyTo(answer!)).toBe(`support+${signReplyToken(keys, ticketNumber)}@helpdesk.test`);
    expect(answer!.raw.toString()).not.toContain(tokenOf(replied!));
  });

  it('keeps a "#note" reply as an internal note and sends nothing to the customer', async () => {
    const [first] = notifications('sam@agents.test');
    const stored = await intake({
      messageId: '<sam-note@agents.test>', from: agents.sam!.email, to: replyTo(first!), headers: authResults('agents.test', 'pass'),
      subject: `Re: ${first!.parsed.subject}`, text: '#note\nCalled Ann: it is the hotel wifi, not us.\n\n> quoted notification\n',
    });
    expect(stored).toMatchObject({ author: 'agent', internal: true, visibleText: 'Called Ann: it is the hotel wifi, not us.' });
    expect(await gateway.conn.collection('ticket_events').countDocuments({ type: 'agent.noted', ticketId: stored.ticketId })).toBe(1);
    await new Promise((r) => setTimeout(r, 500)); // the outbox polls every 100 ms: anything queued would be sent by now
    const customerMail = await outboxEntries(gateway.conn.db!, { 'to.address': CUSTOMER });
    expect(customerMail.map((e) => e.text as string).join('\n')).not.toContain('hotel wifi');
    expect(to(CUSTOMER).map((m) => m.parsed.text ?? '').join('\n')).not.toContain('hotel wifi');
  });

  it('posts nothing as an agent for a forged agent From or an agent token replayed by someone else', async () => {
    const [notification] = notifications('sam@agents.test');
    const agentReplies = () => countOutbox(gateway.conn.db!, { kind: 'agent-reply' });
    const before = await agentReplies();
    // The customer forwards their own mail with the agent's From (our MTA says it is forged).
    const forged = await intake({
      messageId: '<forged-1@example.org>', from: agents.sam!.email, to: `support+${signReplyToken(keys, ticketNumber)}@helpdesk.test`,
      headers: authResults('agents.test', 'fail'), subject: `Re: [#${ticketNumber}] VPN drops every hour`, text: 'Refund approved, 1000 USD.',
    });
    // ...or with the agent token they somehow got, under the agent's From or their own.
    const forgedToken = await intake({
      messageId: '<forged-2@example.org>', from: agents.sam!.email, to: replyTo(notification!),
      headers: authResults('agents.test', 'fail'), subject: 'Re: refund', text: 'Refund approved, 2000 USD.',
    });
    const replayed = await intake({
      messageId: '<replayed@example.org>', from: CUSTOMER, to: replyTo(notification!),
      headers: authResults('example.org', 'pass'), subject: 'Re: refund', text: 'Refund approved, 3000 USD.',
    });
    for (const m of [forged, forgedToken, replayed]) {
      expect(m.ticketNumber).toBe(ticketNumber);
      expect(m.author).toBeUndefined();
      expect(m.flagged).toBe(true);
    }
    expect(forgedToken.decisions.find((d) => d.step === 'thread')?.detail).toContain('no trusted dmarc=pass');
    expect(await agentReplies()).toBe(before);
    await new Promise((r) => setTimeout(r, 500));
    expect(to(CUSTOMER).map((m) => m.parsed.text ?? '').join('\n')).not.toMatch(/Refund approved/);
  });

  it('answers a chat or web form ticket on its own channel when the agent replies to the notification', async () => {
    const lia = agents.lia!;
    const answer = async (ticketNumber: number, id: string) => {
      const mail = await waitUntil(() => notifications(lia.email).find((m) => m.parsed.subject?.startsWith(`[#${ticketNumber}] New ticket`)), `the notification of #${ticketNumber}`);
      return intake({
        messageId: `<${id}@agents.test>`, from: lia.email, to: replyTo(mail), headers: authResults('agents.test', 'pass'),
        subject: `Re: ${mail.parsed.subject}`, text: `Answer ${id}: it left the warehouse today.`,
      });
    };
    const chat = await gateway.ingest.ingest(inbound('chat', 'nc-chat-1', 'rani@example.org', 'Order missing'));
    expect((await answer(chat.ticketNumber!, 'chat-answer')).author).toBe('agent');
    const line = await waitUntil(async () => (await gateway.repos.outbox.listByTicket(chat.ticketId!)).find((e) => e.kind === 'agent-reply'), 'the chat line');
    expect(line).toMatchObject({ channel: 'chat', text: 'Answer chat-answer: it left the warehouse today.' });

    const form = await gateway.ingest.ingest(inbound('webform', 'nc-form-1', 'rudi@example.org', 'Order missing too'));
    await answer(form.ticketNumber!, 'form-answer');
    const [mail] = await waitForMails('rudi@example.org', 1, (a) => to(a).filter((m) => m.parsed.text?.includes('Answer form-answer')));
    expect(mail!.parsed.subject).toContain(`[#${form.ticketNumber}]`);
    expect(replyTo(mail!)).toBe(`support+${signReplyToken(keys, form.ticketNumber!)}@helpdesk.test`);
  });

  it('mails an escalation to the agents of the new tier once, with the reason', async () => {
    await gateway.actions.escalate(ticketNumber, 'L2', 'needs a network specialist', { id: `agent:${agents.lia!.id}`, name: 'LIA' });
    const [escalated] = await waitForMails('tia@agents.test', 1);
    expect(escalated!.parsed.subject).toBe(`[#${ticketNumber}] Dieskalasi ke L2: VPN drops every hour`);
    expect(escalated!.parsed.text).toContain('LIA mengeskalasi tiket ini dari L1 ke L2');
    expect(escalated!.parsed.text).toContain('Alasan: needs a network specialist');
    await fanOut();
    await fanOut();
    const escalations = async (agent: Agent) => (await queuedFor(agent)).filter((e) => /Escalated|Dieskalasi/.test(e.subject as string));
    expect(await escalations(agents.tia!)).toHaveLength(1);
    expect(await escalations(agents.sam!)).toHaveLength(1);
    expect(await escalations(agents.lia!)).toHaveLength(0);
  });
});
