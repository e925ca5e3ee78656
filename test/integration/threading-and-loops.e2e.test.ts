/**
 * Threading that cannot be forged and mail loops that cannot start, through real servers: mail
 * is delivered into Dovecot by LMTP with a controlled envelope (null sender, plus-addressed
 * recipients), the gateway consumes it over IMAP, and the SMTP peer counts what we send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAgentToken, signReplyToken } from '../../src/core/index.ts';
import type { Gateway } from '../../src/gateway.ts';
import { dovecotAvailable, type DovecotServer } from '../support/dovecot.ts';
import { startEmailGateway, type EmailGateway } from '../support/email-gateway.ts';
import { buildMail, type TestMail } from '../support/mail-builder.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';

// Dovecot maps `<user>@any-domain` to mailbox <user>, so our support address is a real mailbox here.
const USER = 'support';
const SUPPORT = 'support@helpdesk.test';
const SECRET = 'test-secret-0123456789abcdef';
const token = (n: number) => signReplyToken({ keys: [{ id: '1', secret: SECRET }] }, n);
const agentToken = (n: number, agent: string) => signAgentToken({ keys: [{ id: '1', secret: SECRET }] }, n, agent);
// What our MTA writes after checking the agent's mail (TRUSTED_AUTHSERV_IDS names it).
const AUTHENTICATED = { 'Authentication-Results': 'mx.helpdesk.test; spf=pass smtp.mailfrom=helpdesk.test; dkim=pass header.d=helpdesk.test; dmarc=pass header.from=helpdesk.test' };

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'threading-and-loops'))('threading and loop protection', () => {
  let env: EmailGateway;
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let gateway: Gateway;
  const api = (path: string, init?: RequestInit) => env.api(path, init);
  const stored = (messageId: string) => env.stored(messageId);
  const deliver = async (mail: TestMail, envelopeFrom = 'sender@example.org', recipients = [SUPPORT]) =>
    dovecot.deliver({ user: USER, raw: await buildMail({ to: SUPPORT, ...mail }), envelopeFrom, recipients });
  const send = async (mail: TestMail, envelopeFrom = 'sender@example.org', recipients = [SUPPORT]) => {
    await deliver(mail, envelopeFrom, recipients);
    return stored(String(mail.messageId));
  };
  const ticket = async (n: number) => (await api(`/api/v1/tickets/${n}`)).json();
  const mailsTo = (address: string) => sink.messages.filter((m) => m.envelope.to.includes(address));
  const settle = () => new Promise((r) => setTimeout(r, 1500)); // one more dispatcher pass

  beforeAll(async () => {
    env = await startEmailGateway(USER, { agentAddresses: ['agent@helpdesk.test'], trustedAuthservIds: ['mx.helpdesk.test'] });
    ({ dovecot, sink, gateway } = env);
    await send({ messageId: '<ann-1@example.org>', from: 'Ann <ann@example.org>', subject: 'Printer on fire', text: 'It smokes.' }, 'ann@example.org');
    await waitUntil(() => mailsTo('ann@example.org').length === 1, 'acknowledgement to Ann');
  });

  afterAll(() => env?.stop());

  it('never lets a stranger append by copying the ticket number into the subject', async () => {
    const m = await send({ messageId: '<mallory-1@example.org>', from: 'mallory@evil.example', subject: 'Re: [#1] Printer on fire', text: 'Add me.' }, 'mallory@evil.example');
    expect(m.ticketNumber).not.toBe(1);
    expect(m.decisions.find((d) => d.step === 'thread')).toMatchObject({ rule: 'new-ticket', detail: expect.stringContaining('not a participant') });
    const own = await ticket(m.ticketNumber);
    expect(own.subject).toBe('Re: Printer on fire'); // the foreign tag is not kept
    const ack = await waitUntil(() => mailsTo('mallory@evil.example')[0], 'acknowledgement to the stranger');
    expect(ack.parsed.subject).toContain(`[#${m.ticketNumber}]`);
    expect(ack.parsed.subject).not.toContain('[#1]');
    expect(ack.parsed.text).not.toContain('It smokes');
    expect((await ticket(1)).messages.filter((x: { direction: string }) => x.direction === 'inbound')).toHaveLength(1);
  });

  it('threads a customer reply by References to our acknowledgement, and by References to their own mail', async () => {
    const ackId = mailsTo('ann@example.org')[0]!.parsed.messageId!;
    const byOurs = await send({ messageId: '<ann-2@example.org>', from: 'ann@example.org', subject: 'Re: something else', text: 'More smoke.', references: [ackId] }, 'ann@example.org');
    expect(byOurs.ticketNumber).toBe(1);
    expect(byOurs.decisions.find((d) => d.step === 'thread')?.rule).toBe('own-message-id');
    const byTheirs = await send({ messageId: '<ann-3@example.org>', from: 'ann@example.org', subject: 'One more thing', text: 'Also the fax.', inReplyTo: '<ann-1@example.org>', references: ['<ann-1@example.org>'] }, 'ann@example.org');
    expect(byTheirs.ticketNumber).toBe(1);
    expect(byTheirs.decisions.find((d) => d.step === 'thread')?.rule).toBe('references');
    expect(mailsTo('ann@example.org')).toHaveLength(1); // replies are not acknowledged again
  });

  it('makes Cc recipients participants, so their tagged replies thread', async () => {
    const opened = await send({ messageId: '<erin-1@example.org>', from: 'erin@example.org', cc: 'Fred <fred@example.org>, support@helpdesk.test', subject: 'VPN down', text: 'Fred sees it too.' }, 'erin@example.org');
    const reply = await send({ messageId: '<fred-1@example.org>', from: 'fred@example.org', subject: `Re: [#${opened.ticketNumber}] VPN down`, text: 'Still down here.' }, 'fred@example.org');
    expect(reply.ticketNumber).toBe(opened.ticketNumber);
    expect(reply.decisions.find((d) => d.step === 'thread')?.rule).toBe('subject-tag');
    expect(reply.flagged).toBeFalsy();
  });

  it('appends a valid token from a non-participant but flags the ticket for review', async () => {
    const m = await send({ messageId: '<colleague-1@example.org>', from: 'colleague@example.org', to: `support+${token(1)}@helpdesk.test`, subject: 'Fwd: Printer', text: 'I see it too.' }, 'colleague@example.org', [`support+${token(1)}@helpdesk.test`]);
    expect(m.ticketNumber).toBe(1);
    expect(m.flagged).toBe(true);
    expect((await ticket(1)).flags).toContain('needs-review');
  });

  it('produces no mail storm from 20 auto-replies, nor from a bot without auto headers', async () => {
    const before = sink.messages.length;
    const ackId = mailsTo('ann@example.org')[0]!.parsed.messageId!;
    for (let i = 1; i <= 20; i++) {
      await deliver({
        messageId: `<ooo-${i}@example.org>`, from: 'ann@example.org', subject: 'Automatic reply: Out of office', text: 'I am away.',
        inReplyTo: ackId, references: [ackId], headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes' },
      }, '');
      await deliver({ messageId: `<bot-${i}@example.org>`, from: 'bot@example.org', subject: `Alert ${i}`, text: 'Disk full.' }, 'bot@example.org');
    }
    await stored('<bot-20@example.org>');
    await settle();
    const sent = sink.messages.slice(before);
    expect(sent.filter((m) => m.envelope.to.includes('ann@example.org'))).toHaveLength(0);
    expect(sent.filter((m) => m.envelope.to.includes('bot@example.org'))).toHaveLength(3); // ACK_PER_SENDER_LIMIT
    expect(sent).toHaveLength(3);
    const t1 = await ticket(1);
    expect(t1.flags).toContain('automail-stopped'); // the ticket breaker tripped
    const ooo = t1.messages.find((x: { externalId: string }) => x.externalId === 'ooo-1@example.org');
    expect(ooo.classification).toBe('auto-reply');
  });

  it('never makes a ticket of mail that carries our own X-Loop or one of our Message-IDs', async () => {
    const ackId = mailsTo('ann@example.org')[0]!.parsed.messageId!;
    await deliver({ messageId: '<looped-1@example.org>', from: 'forwarder@example.org', subject: 'Fwd: hello', headers: { 'X-Loop': SUPPORT } });
    await deliver({ messageId: ackId, from: 'relay@example.org', subject: 'Our own mail, come back' });
    await send({ messageId: '<after-loop@example.org>', from: 'dave@example.org', subject: 'Marker' }, 'dave@example.org');
    expect(await gateway.repos.messages.byExternalId('email', 'looped-1@example.org')).toBeNull();
    expect(await gateway.repos.messages.byRfcMessageIds('email', [ackId.replace(/^<|>$/g, '')])).toMatchObject({ direction: 'outbound' });
    expect(await gateway.models.Message.countDocuments({ externalId: ackId.replace(/^<|>$/g, ''), direction: 'inbound' })).toBe(0);
  });

  it('marks the exact outbound mail failed when a bounce comes back, and suppresses the address', async () => {
    const bob = await send({ messageId: '<bob-1@example.org>', from: 'bob@example.org', subject: 'Login broken', text: 'Cannot log in.' }, 'bob@example.org');
    const ack = await waitUntil(() => mailsTo('bob@example.org')[0], 'acknowledgement to Bob');
    const verpAddress = ack.envelope.from;
    expect(verpAddress).toMatch(/^support\+b[0-9a-f]{16}k1[a-z2-7]{16}@helpdesk\.test$/);
    await dovecot.deliver({ user: USER, envelopeFrom: '', recipients: [verpAddress], raw: postfixBounce(verpAddress, 'bob@example.org', ack.parsed.messageId!, '5.1.1', '550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown') });
    const outbox = await waitUntil(async () => {
      const e = await gateway.repos.outbox.byVerpId(verpAddress.slice(9, 25));
      return e?.status === 'failed' ? e : null;
    }, 'outbound marked failed');
    expect(outbox.bounce).toMatchObject({ action: 'failed', status: '5.1.1', recipient: 'bob@example.org' });
    expect(outbox.lastError).toContain('User unknown');

    const view = await ticket(bob.ticketNumber);
    const outbound = view.messages.find((x: { direction: string }) => x.direction === 'outbound');
    expect(outbound.delivery).toMatchObject({ status: 'failed', bounce: { status: '5.1.1' } });
    const report = view.messages.find((x: { classification: string }) => x.classification === 'bounce');
    expect(report.decisions.find((d: { step: string }) => d.step === 'thread').rule).toBe('bounce-verp');
    expect((await (await api('/api/v1/suppressions')).json()).suppressions.map((s: { address: string }) => s.address)).toContain('bob@example.org');

    // Bob writes again: a new ticket, but no acknowledgement goes to a hard-bounced address.
    const again = await send({ messageId: '<bob-2@example.org>', from: 'bob@example.org', subject: 'Still broken', text: '?' }, 'bob@example.org');
    expect(again.ackDecision).toMatchObject({ rule: 'suppressed' });
    await settle();
    expect(mailsTo('bob@example.org')).toHaveLength(1);
  });

  it('matches a bounce without VERP by the embedded Message-ID, and treats delayed as information', async () => {
    await send({ messageId: '<carol-1@example.org>', from: 'carol@example.org', subject: 'Refund', text: 'Please.' }, 'carol@example.org');
    const ack = await waitUntil(() => mailsTo('carol@example.org')[0], 'acknowledgement to Carol');
    await dovecot.deliver({ user: USER, envelopeFrom: '', recipients: [SUPPORT], raw: postfixBounce(SUPPORT, 'carol@example.org', ack.parsed.messageId!, '4.4.1', 'Connection timed out', 'delayed') });
    const entry = await waitUntil(async () => {
      const e = await gateway.repos.outbox.byMessageIds([ack.parsed.messageId!.replace(/^<|>$/g, '')]);
      return e?.bounce ? e : null;
    }, 'delay recorded');
    expect(entry.bounce).toMatchObject({ action: 'delayed', status: '4.4.1' });
    expect(entry.status).toBe('sent');
  });

  it('sends nothing to the customer for forged agent mail (From an agent, customer token, no authentication)', async () => {
    const forged = await send({
      messageId: '<forged-agent-1@evil.example>', from: 'Dana Agent <agent@helpdesk.test>', to: `support+${token(1)}@helpdesk.test`,
      subject: 'Re: [#1] Printer on fire', text: 'Send your password to pay@evil.example.',
    }, 'mallory@evil.example', [`support+${token(1)}@helpdesk.test`]);
    expect(forged.ticketNumber).toBe(1);
    expect(forged.author).toBeUndefined();
    expect(forged.flagged).toBe(true);
    expect((await ticket(1)).flags).toContain('needs-review');
    await settle();
    expect(mailsTo('ann@example.org').filter((m) => m.parsed.text?.includes('pay@evil.example'))).toHaveLength(0);
    expect(sink.messages.filter((m) => m.parsed.text?.includes('pay@evil.example'))).toHaveLength(0);
  });

  it('posts an authenticated agent reply sent by email and forwards it to the customer as a person would write', async () => {
    const agentAddress = `support+${agentToken(1, 'agent@helpdesk.test')}@helpdesk.test`;
    const reply = await send({
      messageId: '<agent-1@helpdesk.test>', from: 'Dana Agent <agent@helpdesk.test>', to: agentAddress, headers: AUTHENTICATED,
      subject: 'Re: [#1] Printer on fire', text: 'Please unplug it now.\n\nOn Mon, Ann wrote:\n> It smokes.',
    }, 'agent@helpdesk.test', [agentAddress]);
    expect(reply.ticketNumber).toBe(1);
    expect(reply.author).toBe('agent');
    const out = await waitUntil(() => mailsTo('ann@example.org').find((m) => m.parsed.text?.includes('Please unplug it now.')), 'agent reply to Ann');
    expect(out.parsed.from?.value[0]?.address).toBe(SUPPORT);
    expect(out.parsed.text).not.toContain('> It smokes');
    expect(out.parsed.headers.get('auto-submitted')).toBeUndefined();
    expect(out.parsed.replyTo?.value[0]?.address).toBe(`support+${token(1)}@helpdesk.test`);
    expect(out.parsed.inReplyTo).toBe('<ann-3@example.org>');
    expect(out.parsed.subject).toBe('[#1] Re: Printer on fire');
    expect((await ticket(1)).status).toBe('pending');

    // Without a token the same agent is just another sender: nothing goes to Ann.
    const plain = await send({ messageId: '<agent-2@helpdesk.test>', from: 'agent@helpdesk.test', subject: 'Re: [#1] Printer on fire', text: 'Ignore.' }, 'agent@helpdesk.test');
    expect(plain.ticketNumber).not.toBe(1);
    await settle();
    expect(mailsTo('ann@example.org').filter((m) => m.parsed.text?.includes('Ignore.'))).toHaveLength(0);
  });

  it('reopens a pending ticket on a customer reply, and opens a linked ticket for a reply to a long-closed one', async () => {
    const reopened = await send({ messageId: '<ann-4@example.org>', from: 'ann@example.org', to: `support+${token(1)}@helpdesk.test`, subject: 'Re: [#1]', text: 'Unplugged.' }, 'ann@example.org', [`support+${token(1)}@helpdesk.test`]);
    expect(reopened.ticketNumber).toBe(1);
    expect((await ticket(1)).status).toBe('open');

    expect((await api('/api/v1/tickets/1', { method: 'PATCH', body: JSON.stringify({ status: 'closed' }) })).status).toBe(200);
    await gateway.models.Ticket.updateOne({ number: 1 }, { $set: { closedAt: new Date(Date.now() - 40 * 24 * 3600 * 1000) } });
    const late = await send({ messageId: '<ann-5@example.org>', from: 'ann@example.org', to: `support+${token(1)}@helpdesk.test`, subject: 'Re: [#1] Printer on fire', text: 'It is back.' }, 'ann@example.org', [`support+${token(1)}@helpdesk.test`]);
    expect(late.ticketNumber).not.toBe(1);
    const linked = await ticket(late.ticketNumber);
    expect(linked.linkedTickets).toEqual([1]);
    expect(late.decisions.find((d) => d.step === 'thread')?.rule).toBe('closed-ticket');
  });
});

/** A Postfix-style RFC 3464 report about `recipient`, for the mail with `messageId`. */
function postfixBounce(to: string, recipient: string, messageId: string, status: string, diagnostic: string, action = 'failed'): string {
  const b = 'BOUNDARY.1795882133/mail.example.org';
  return [
    'Return-Path: <>', `Delivered-To: ${to}`, 'From: MAILER-DAEMON@mail.example.org (Mail Delivery System)', `To: ${to}`,
    `Subject: ${action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `Message-ID: <bounce-${Math.random().toString(36).slice(2)}@mail.example.org>`, 'Auto-Submitted: auto-replied', 'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`, '',
    `--${b}`, 'Content-Description: Notification', 'Content-Type: text/plain; charset=us-ascii', '',
    'This is the mail system at host mail.example.org.', '', `<${recipient}>: ${diagnostic}`, '',
    `--${b}`, 'Content-Description: Delivery report', 'Content-Type: message/delivery-status', '',
    'Reporting-MTA: dns; mail.example.org', 'Arrival-Date: Sat, 28 Nov 2026 16:00:00 +0000', '',
    `Final-Recipient: rfc822; ${recipient}`, `Original-Recipient: rfc822;${recipient}`, `Action: ${action}`, `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`, '',
    `--${b}`, 'Content-Description: Undelivered Message Headers', 'Content-Type: text/rfc822-headers', '',
    `From: Support <${SUPPORT}>`, `To: ${recipient}`, 'Subject: [#9] We received your request', `Message-ID: ${messageId}`, '',
    `--${b}--`, '',
  ].join('\r\n');
}
