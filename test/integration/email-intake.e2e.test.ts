/**
 * End to end through real servers: mail delivered into Dovecot becomes a ticket in the database,
 * the acknowledgement reaches the SMTP peer with every threading header, and neither a repeated
 * delivery, a UIDVALIDITY change nor a server-side disconnect loses or duplicates anything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.ts';
import { dovecotAvailable, type DovecotServer } from '../support/dovecot.ts';
import { startEmailGateway, type EmailGateway } from '../support/email-gateway.ts';
import { buildMail } from '../support/mail-builder.ts';
import type { SmtpSink } from '../support/smtp-sink.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { countOutbox } from '../support/outbox.ts';

const USER = 'desk';

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'email-intake.e2e'))('email intake end to end', () => {
  let env: EmailGateway;
  let dovecot: DovecotServer;
  let sink: SmtpSink;
  let gateway: Gateway;
  const api = (path: string) => env.api(path);
  const stored = (messageId: string) => env.stored(messageId);
  const deliver = (raw: Buffer) => dovecot.deliver({ user: USER, raw, envelopeFrom: 'customer@example.org' });
  const counts = async () => ({
    tickets: await gateway.models.Ticket.countDocuments(),
    inbound: await gateway.models.Message.countDocuments({ direction: 'inbound' }),
    outbox: await countOutbox(gateway.conn.db!),
  });

  let firstMail: Buffer;

  beforeAll(async () => {
    env = await startEmailGateway(USER);
    ({ dovecot, sink, gateway } = env);
  });
  afterAll(() => env?.stop());

  it('turns a delivered mail into a ticket with its attachment and acknowledges it', async () => {
    const pdf = Buffer.from('%PDF-1.4\n' + 'x'.repeat(5000));
    firstMail = await buildMail({
      messageId: '<first-mail@example.org>', subject: 'Printer on fire', text: 'It smokes.\n\nRegards, Ann',
      from: 'Ann Customer <ann@example.org>',
      attachments: [{ filename: 'invoice.pdf', content: pdf, contentType: 'application/pdf' }],
    });
    await deliver(firstMail);
    await stored('first-mail@example.org');
    const ticket = (await gateway.repos.tickets.byNumber(1))!;
    expect(ticket.subject).toBe('Printer on fire');

    const res = await api('/api/v1/tickets/1');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.requester.emails).toEqual(['ann@example.org']);
    expect(body.requester.name).toBe('Ann Customer');
    const inbound = body.messages.filter((m: { direction: string }) => m.direction === 'inbound');
    expect(inbound).toHaveLength(1);
    expect(inbound[0].text).toContain('It smokes.');
    expect(inbound[0].attachments).toHaveLength(1);
    expect(inbound[0].attachments[0]).toMatchObject({ filename: 'invoice.pdf', contentType: 'application/pdf', size: pdf.length });
    const download = await api(new URL(inbound[0].attachments[0].url).pathname);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(pdf);

    await sink.waitFor(1);
    const ack = sink.messages[0]!;
    expect(ack.envelope.to).toEqual(['ann@example.org']);
    const h = ack.parsed.headers;
    expect(ack.parsed.subject).toMatch(/^\[#1\] /);
    expect(ack.parsed.messageId).toMatch(/^<t1k1[a-z2-7]{20}\.[0-9a-f]{16}@helpdesk\.test>$/);
    expect(ack.parsed.inReplyTo).toBe('<first-mail@example.org>');
    expect([ack.parsed.references].flat()).toContain('<first-mail@example.org>');
    expect(ack.parsed.replyTo?.value[0]?.address).toMatch(/^support\+t1k1[a-z2-7]{20}@helpdesk\.test$/);
    expect(h.get('auto-submitted')).toBe('auto-replied');
    expect(h.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
    expect(ack.parsed.text).toContain('#1');
    expect(ack.parsed.html).toContain('<strong>#1</strong>');

    const outbox = await waitUntil(async () => {
      const entry = await gateway.repos.outbox.byId(`ack:${ticket.id}`);
      return entry?.status === 'sent' ? entry : null;
    }, 'outbox entry marked sent');
    expect(outbox?.receipt?.accepted).toEqual(['ann@example.org']);
  });

  it('creates nothing new when the same Message-ID arrives again', async () => {
    const before = await counts();
    // The same mail delivered again (a different mail reusing the Message-ID is stored: poison-mail.test.ts).
    await deliver(firstMail);
    await deliver(await buildMail({ messageId: '<marker-1@example.org>', subject: 'Marker', from: 'bob@example.org' }));
    await stored('marker-1@example.org');
    const after = await counts();
    expect(after).toEqual({ tickets: before.tickets + 1, inbound: before.inbound + 1, outbox: before.outbox + 1 });
    const first = await gateway.repos.messages.byExternalId('email', 'first-mail@example.org');
    expect(first?.ticketNumber).toBe(1);
  });

  it('answers in Indonesian when the customer writes with Content-Language: id', async () => {
    await deliver(await buildMail({
      messageId: '<id-mail@example.org>', subject: 'Printer rusak', from: 'budi@example.org', text: 'Tolong bantu.',
      headers: { 'Content-Language': 'id-ID' },
    }));
    const ack = await waitUntil(() => sink.messages.find((m) => m.parsed.inReplyTo === '<id-mail@example.org>'), 'Indonesian ack');
    expect(ack.parsed.subject).toContain('Permintaan Anda telah kami terima');
    expect(ack.parsed.text).toContain('Terima kasih');
  });

  it('threads a reply sent to the signed Reply-To onto the ticket', async () => {
    const ack = sink.messages[0]!;
    const replyTo = ack.parsed.replyTo!.value[0]!.address!;
    await dovecot.deliver({
      user: USER, envelopeFrom: 'ann@example.org',
      raw: await buildMail({ messageId: '<reply-1@example.org>', from: 'ann@example.org', to: replyTo, subject: 'Re: Printer on fire', text: 'Now it is worse.\n\nOn Mon, Support wrote:\n> We received your request' }),
    });
    const reply = await stored('reply-1@example.org');
    expect(reply.ticketNumber).toBe(1);
    expect(reply.visibleText).toBe('Now it is worse.');
    expect(reply.decisions.find((d) => d.step === 'thread')?.rule).toBe('reply-token');
  });

  it('loses and duplicates nothing across a UIDVALIDITY change', async () => {
    const before = await counts();
    await dovecot.setUidValidity(USER, 'INBOX', 4242);
    await deliver(await buildMail({ messageId: '<after-uidvalidity@example.org>', subject: 'After rescan', from: 'carol@example.org' }));
    const msg = await stored('after-uidvalidity@example.org');
    // The rescan met every old mail again: all of them were recognized as duplicates.
    await waitUntil(async () => (await gateway.models.MailboxCursor.findOne().lean<{ uidValidity?: number }>())?.uidValidity === 4242, 'cursor on the new UIDVALIDITY');
    const after = await counts();
    expect(after.tickets).toBe(before.tickets + 1);
    expect(after.inbound).toBe(before.inbound + 1);
    expect(after.outbox).toBe(before.outbox + 1);
    expect(msg.complete).toBe(true);
  });

  it('reconnects after the server drops the connection and takes new mail once', async () => {
    const before = await counts();
    await waitUntil(() => dovecot.kick(USER), 'an IMAP session to kick');
    await deliver(await buildMail({ messageId: '<after-kick@example.org>', subject: 'After kick', from: 'dave@example.org' }));
    await stored('after-kick@example.org');
    expect(await counts()).toEqual({ tickets: before.tickets + 1, inbound: before.inbound + 1, outbox: before.outbox + 1 });
    const ready = await (await fetch(`http://127.0.0.1:${gateway.httpPort()}/readyz`, { headers: { authorization: `Bearer ${gateway.config.adminToken}` } })).json();
    expect(ready.checks.email.ok).toBe(true);
  });
});
