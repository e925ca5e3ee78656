/**
 * Acknowledgements cannot be aimed: a forged From gets nothing when our MTA says SPF and DMARC
 * failed, what is echoed is safe for a stranger to read, one domain gets only so many, and a flood
 * of forged mail pauses acknowledgements to strangers while known customers keep theirs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailOutboxEntry } from '../../src/core/index.ts';
import { openTestCore } from '../support/core.ts';
import { buildMail, type TestMail } from '../support/mail-builder.ts';

type Env = Awaited<ReturnType<typeof openTestCore>>;

async function ackOf(env: Env, mail: TestMail) {
  await env.intake(await buildMail(mail));
  const id = String(mail.messageId).replace(/^<|>$/g, '');
  const stored = await env.core.repos.messages.byExternalId('email', id);
  // An acknowledgement is always the mail variant of the outbound union.
  return { stored: stored!, outbox: await env.core.repos.outbox.byId(`ack:${stored!.ticketId}`) as MailOutboxEntry | null };
}

describe('acknowledgements to forged or strange senders', () => {
  let env: Env;
  beforeAll(async () => { env = await openTestCore('ack_safety', { TRUSTED_AUTHSERV_IDS: 'mx.helpdesk.test' }); });
  afterAll(() => env.drop());

  it('sends none when our MTA says SPF and DMARC both failed, and one when only an untrusted header says so', async () => {
    const forged = await ackOf(env, {
      messageId: '<forged-1@example.net>', from: 'victim@example.net', subject: 'Hello',
      headers: { 'Authentication-Results': 'mx.helpdesk.test; spf=fail smtp.mailfrom=example.net; dmarc=fail header.from=example.net' },
    });
    expect(forged.stored.ackDecision).toMatchObject({ rule: 'forged-sender' });
    expect(forged.outbox).toBeNull();
    const untrusted = await ackOf(env, {
      messageId: '<claimed-1@example.net>', from: 'other@example.net', subject: 'Hello',
      headers: { 'Authentication-Results': 'mx.elsewhere.example; spf=fail; dmarc=fail' },
    });
    expect(untrusted.stored.ackDecision).toMatchObject({ rule: 'queued' });
  });

  it('echoes a capped subject and no display name holding a URL or an address', async () => {
    const subject = `Your account is locked, log in at evil.example to unlock it ${'now '.repeat(40)}`;
    const { outbox } = await ackOf(env, {
      messageId: '<aimed-1@example.net>', from: { name: 'Security team https://evil.example/login', address: 'target@example.net' }, subject,
    });
    expect(outbox).not.toBeNull();
    expect(outbox!.to).toEqual([{ address: 'target@example.net' }]);
    expect(outbox!.text).toContain('Hello target@example.net,');
    expect(outbox!.text).not.toContain('https://evil.example');
    expect(outbox!.html).not.toContain('https://evil.example');
    const echoed = `${subject.slice(0, 119).trimEnd()}…`;
    expect(outbox!.subject).toContain(echoed);
    expect(outbox!.subject).not.toContain(subject.slice(0, 125));
    expect(outbox!.text).toContain(echoed);

    const { outbox: friendly } = await ackOf(env, { messageId: '<ann-1@example.com>', from: 'Ann Example <ann@example.com>', subject: 'Printer' });
    expect(friendly!.to).toEqual([{ address: 'ann@example.com', name: 'Ann Example' }]);
    expect(friendly!.text).toContain('Hello Ann Example,');
  });
});

describe('acknowledgement limits per domain and the global breaker', () => {
  let env: Env;
  beforeAll(async () => { env = await openTestCore('ack_limits', { ACK_PER_DOMAIN_LIMIT: '2', GLOBAL_BREAKER_LIMIT: '4' }); });
  afterAll(() => env.drop());

  it('acknowledges at most the limit per recipient domain to strangers', async () => {
    const rules = [];
    for (let i = 1; i <= 3; i++) {
      rules.push((await ackOf(env, { messageId: `<d-${i}@victim.example>`, from: `person${i}@victim.example`, subject: `Hi ${i}` })).stored.ackDecision?.rule);
    }
    expect(rules).toEqual(['queued', 'queued', 'domain-limited']);
    expect((await ackOf(env, { messageId: '<d-4@other.example>', from: 'someone@other.example', subject: 'Hi' })).stored.ackDecision?.rule).toBe('queued');
  });

  it('pauses strangers at the global breaker while customers with earlier tickets keep their acknowledgements', async () => {
    // Carol wrote long ago: we have known her since before the breaker window, and the
    // acknowledgements counted so far belong to an earlier window.
    const earlier = await ackOf(env, { messageId: '<carol-1@customer.example>', from: 'carol@customer.example', subject: 'Old question' });
    await env.core.models.Ticket.updateOne({ _id: earlier.stored.ticketId }, { $set: { createdAt: new Date(Date.now() - 2 * 3600_000) } });
    await env.core.models.Contact.updateOne({ _id: earlier.stored.fromContactId }, { $set: { createdAt: new Date(Date.now() - 2 * 3600_000) } });
    await env.core.models.AckCount.deleteMany({});

    const wave = [];
    for (let i = 1; i <= 5; i++) {
      wave.push((await ackOf(env, { messageId: `<w-${i}@example.org>`, from: `stranger${i}@s${i}.example`, subject: 'Spam' })).stored.ackDecision?.rule);
    }
    expect(wave).toEqual(['queued', 'queued', 'queued', 'queued', 'global-breaker']);
    const carol = await ackOf(env, { messageId: '<carol-2@customer.example>', from: 'carol@customer.example', subject: 'New question' });
    expect(carol.stored.ackDecision?.rule).toBe('queued');
    expect(carol.outbox?.to[0]?.address).toBe('carol@customer.example');
    // A stranger whose first ticket is from this very wave is still a stranger.
    const again = await ackOf(env, { messageId: '<w-1b@example.org>', from: 'stranger1@s1.example', subject: 'Spam again' });
    expect(again.stored.ackDecision?.rule).toBe('global-breaker');
  });
});

describe('an acknowledgement whose ingest is interrupted after the limits were checked', () => {
  let env: Env;
  // Four attempts in a row fail between the limit check and the queued mail (as when the gateway
  // is killed there, or its database goes away); the sender offers the mail again each time.
  beforeAll(async () => { env = await openTestCore('ack_replay', { HELPDESK_CRASH_POINTS: 'flaky@ack.before-enqueue:4', MAIL_MAX_INGEST_ATTEMPTS: '10' }); });
  afterAll(() => env.drop());

  it('is still sent once it gets through, and counts once against the sender limit', async () => {
    const raw = await buildMail({ messageId: '<retried-1@example.net>', from: 'pat@example.net', subject: 'Help' });
    // The sender offers it again after each failure, as an MTA or the IMAP consumer does.
    let failures = 0;
    for (;;) {
      try {
        await env.intake(raw);
        break;
      } catch (err) {
        expect(err).toMatchObject({ code: 'E_TRANSIENT' });
        if (++failures > 4) throw err;
      }
    }
    const retried = await ackOf(env, { messageId: '<retried-1@example.net>', from: 'pat@example.net', subject: 'Help' });
    expect(retried.stored.ackDecision).toMatchObject({ rule: 'queued' });
    expect(retried.outbox?.to).toEqual([{ address: 'pat@example.net' }]);
    expect(failures).toBe(4);
    // The default limit is three per address: the interrupted mail took one of them, not five.
    const later = [];
    for (let i = 2; i <= 4; i++) later.push((await ackOf(env, { messageId: `<retried-${i}@example.net>`, from: 'pat@example.net', subject: `Help ${i}` })).stored.ackDecision?.rule);
    expect(later).toEqual(['queued', 'queued', 'rate-limited']);
  });
});
