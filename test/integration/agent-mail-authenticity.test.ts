/**
 * A mail is an agent reply only when its From is an agent, our MTA authenticated that From, and it
 * carries an agent token issued to that agent. Everything less is a customer message held for
 * review, and nothing goes to the customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownMessageId, signAgentToken, signReplyToken } from '../../src/core/index.ts';
import { openTestCore } from '../support/core.ts';
import { buildMail, type TestMail } from '../support/mail-builder.ts';

const SECRET = 'test-secret-0123456789abcdef';
const keys = { keys: [{ id: '1', secret: SECRET }] };
const AGENT = 'dana@helpdesk.test';
const PASS = { 'Authentication-Results': 'mx.helpdesk.test; spf=pass smtp.mailfrom=helpdesk.test; dkim=pass header.d=helpdesk.test; dmarc=pass header.from=helpdesk.test' };

describe('agent mail must be authentic', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  let ticketNumber: number;
  const intake = async (mail: TestMail) => {
    await env.intake(await buildMail(mail));
    return (await env.core.repos.messages.byExternalId('email', String(mail.messageId).replace(/^<|>$/g, '')))!;
  };
  const agentReplies = () => env.core.models.Outbox.countDocuments({ kind: 'agent-reply' });

  beforeAll(async () => {
    env = await openTestCore('agent_auth', { AGENT_ADDRESSES: `${AGENT},eve@helpdesk.test`, TRUSTED_AUTHSERV_IDS: 'mx.helpdesk.test' });
    ticketNumber = (await intake({ messageId: '<ann-1@example.org>', from: 'ann@example.org', subject: 'Printer on fire' })).ticketNumber;
  });
  afterAll(() => env.drop());

  const fromAgent = (id: string, token: string, headers: Record<string, string> = PASS, from = `Dana <${AGENT}>`): TestMail => ({
    messageId: `<${id}@helpdesk.test>`, from, to: `support+${token}@helpdesk.test`, subject: `Re: [#${ticketNumber}] Printer on fire`,
    text: `Answer ${id}`, headers,
  });

  it('holds an agent address with a customer token, even when authenticated', async () => {
    const m = await intake(fromAgent('customer-token', signReplyToken(keys, ticketNumber)));
    expect(m.ticketNumber).toBe(ticketNumber);
    expect(m.author).toBeUndefined();
    expect(m.flagged).toBe(true);
    expect(m.decisions.find((d) => d.step === 'thread')?.detail).toContain('a customer token never makes an agent reply');
    expect(await agentReplies()).toBe(0);
  });

  it('holds an agent token without authentication, or with a header from an untrusted verifier', async () => {
    const token = signAgentToken(keys, ticketNumber, AGENT);
    for (const [id, headers] of [['no-auth', {}], ['untrusted', { 'Authentication-Results': 'mx.evil.example; dmarc=pass header.from=helpdesk.test' }]] as const) {
      const m = await intake(fromAgent(id, token, headers));
      expect(m.author).toBeUndefined();
      expect(m.flagged).toBe(true);
      expect(m.decisions.find((d) => d.step === 'thread')?.detail).toContain('no trusted dmarc=pass');
    }
    expect(await agentReplies()).toBe(0);
    expect((await env.core.repos.tickets.byNumber(ticketNumber))!.flags).toContain('needs-review');
  });

  it('holds an agent token issued to another agent', async () => {
    const m = await intake(fromAgent('other-agent', signAgentToken(keys, ticketNumber, 'eve@helpdesk.test')));
    expect(m.author).toBeUndefined();
    expect(m.decisions.find((d) => d.step === 'thread')?.detail).toContain('issued to another agent');
    expect(await agentReplies()).toBe(0);
  });

  it('holds an agent token from a non-agent, who appends only as a flagged customer', async () => {
    const m = await intake(fromAgent('stranger', signAgentToken(keys, ticketNumber, AGENT), PASS, 'ann@example.org'));
    expect(m.ticketNumber).toBe(ticketNumber);
    expect(m.author).toBeUndefined();
    expect(m.flagged).toBe(true);
  });

  it('posts an authenticated agent reply with the agent token, in the address or in References', async () => {
    const token = signAgentToken(keys, ticketNumber, AGENT);
    const byAddress = await intake(fromAgent('genuine', token));
    expect(byAddress.author).toBe('agent');
    expect(byAddress.decisions.find((d) => d.step === 'thread')?.rule).toBe('agent-reply');
    const notification = `<${ownMessageId(token, 'notify:1', 'helpdesk.test')}>`;
    const byReference = await intake({
      messageId: '<genuine-ref@helpdesk.test>', from: AGENT, subject: 'Re: update', text: 'More.',
      inReplyTo: notification, references: [notification],
      headers: { 'Authentication-Results': 'mx.helpdesk.test; dkim=pass header.d=helpdesk.test; dmarc=none' },
    });
    expect(byReference.author).toBe('agent');
    expect(await agentReplies()).toBe(2);
  });

  it('flags a new ticket opened from an agent address without any token', async () => {
    const m = await intake({ messageId: '<plain@helpdesk.test>', from: AGENT, subject: 'Note to self', headers: PASS });
    expect(m.ticketNumber).not.toBe(ticketNumber);
    expect(m.flagged).toBe(true);
  });
});
