/**
 * The intake path writes outbox entries, tickets, number claims, contacts, identity claims and audit
 * events with the driver, not through mongoose (its document building, validation and casting cost
 * more CPU per mail than the commands). What is stored must be what mongoose stored for the same
 * input, field for field, and what the repositories return must match it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailOutbound, ChatOutbound, NewTicket } from '../../src/core/index.ts';
import { MongoEventRepository } from '../../src/infra/mongo/audit.repositories.ts';
import { MongoContactRepository } from '../../src/infra/mongo/contact.repository.ts';
import { createModels } from '../../src/infra/mongo/models.ts';
import { MongoOutboxRepository } from '../../src/infra/mongo/outbox.repository.ts';
import { MongoTicketRepository } from '../../src/infra/mongo/ticket.repository.ts';
import { openTestDb } from '../support/database.ts';

/** The document without its `_id` (different by design), keys sorted at every level. */
function comparable(doc: Record<string, unknown> | null): unknown {
  expect(doc).not.toBeNull();
  const rest = { ...doc };
  delete rest._id;
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v instanceof Date || v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
  };
  return sort(rest);
}

const at = new Date('2026-11-30T10:00:00Z');
const mail: MailOutbound = {
  id: 'ack:tk_1', kind: 'ack', channel: 'email', ticketId: 'tk_1', ticketNumber: 7, text: 'We got it.', html: '<p>We got it.</p>',
  to: [{ address: 'ana@example.org', name: 'Ana' }], from: { address: 'support@helpdesk.test', name: undefined }, replyTo: { address: 'reply@helpdesk.test' },
  subject: '[#7] Printer', messageId: 'ack-7@helpdesk.test', inReplyTo: 'orig@example.org', references: ['orig@example.org'],
  headers: [{ name: 'Auto-Submitted', value: 'auto-replied' }], verpId: 'v1', envelopeFrom: 'support+bv1@helpdesk.test',
};
const chat = { id: 'kb:tk_1', kind: 'kb-suggestion', channel: 'chat', ticketId: 'tk_1', ticketNumber: 7, text: 'Try this.', contactId: 'ct_1', authorName: undefined } as unknown as ChatOutbound;

const ticket = (originKey: string, more: Partial<NewTicket> = {}): NewTicket => ({
  originKey, subject: 'Printer', channel: 'email', requesterId: 'ct_1', participantIds: ['ct_1'], locale: 'en', at, flags: [], ...more,
});

describe('intake writes through the driver', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let models: ReturnType<typeof createModels>;
  const raw = (name: string) => db.conn.db!.collection(name);
  beforeAll(async () => {
    db = await openTestDb('driverwrites');
    models = createModels(db.conn);
  });
  afterAll(() => db.drop());

  it.each([['a mail', mail], ['a chat message', chat]])('queues %s as mongoose create did', async (_label, message) => {
    const outbox = new MongoOutboxRepository(models);
    await outbox.enqueue(message, at);
    const { id, ...fields } = message;
    await models.Outbox.create({ _id: `ref-${id}`, ...fields, status: 'pending', attempts: 0, nextAttemptAt: at, createdAt: at });
    expect(comparable(await raw('outbox').findOne({ _id: id as never }))).toEqual(comparable(await raw('outbox').findOne({ _id: `ref-${id}` as never })));
    expect(await outbox.byId(id)).toMatchObject({ id, status: 'pending', attempts: 0, text: message.text });
  });

  it.each([
    ['a first-time sender\'s ticket', ticket('email:a@example.org')],
    ['an anonymous ticket with links and a rule\'s preset', ticket('email:b@example.org', {
      requesterId: 'anonymous:email:b', participantIds: [], linkedTicketNumbers: [3], preset: { priority: 'high', tags: ['vip'], category: 'billing' },
    })],
  ])('creates %s as the mongoose upsert did', async (_label, t) => {
    const tickets = new MongoTicketRepository(models);
    const created = await tickets.createOnce(t, { absent: true });
    const mine = await raw('tickets').findOne({ _id: created.id as never });
    const { _id, ...fields } = mine!;
    await models.Ticket.updateOne({ _id: `ref-${String(_id)}` }, {
      $setOnInsert: { ...fields, flags: t.flags, participantIds: t.participantIds, tags: t.preset?.tags ?? [] },
    }, { upsert: true });
    expect(comparable(mine)).toEqual(comparable(await raw('tickets').findOne({ _id: `ref-${String(_id)}` as never })));
    expect(await tickets.byId(created.id)).toEqual(created);
    expect(await raw('ticket_numbers').findOne({ _id: created.number as never })).toEqual({ _id: created.number, ticketId: created.id });
  });

  it('creates a contact and its identity claim as the mongoose upserts did', async () => {
    const contacts = new MongoContactRepository(models);
    const contact = await contacts.findOrCreate({ kind: 'email', value: 'cara@example.org' }, 'Cara');
    expect(await contacts.findOrCreate({ kind: 'email', value: 'cara@example.org' }, 'Someone else')).toEqual(contact);
    const claim = await raw('contact_identities').findOne({ _id: 'email:cara@example.org' as never });
    await models.ContactIdentity.findOneAndUpdate({ _id: 'ref-claim' }, { $setOnInsert: { contactId: contact.id, createdAt: claim!.createdAt } }, { upsert: true });
    expect(comparable(claim)).toEqual(comparable(await raw('contact_identities').findOne({ _id: 'ref-claim' as never })));
    const mine = await raw('contacts').findOne({ _id: contact.id as never });
    await models.Contact.findOneAndUpdate({ _id: 'ref-contact' }, { $setOnInsert: { name: 'Cara', identities: ['email:cara@example.org'], createdAt: mine!.createdAt } }, { upsert: true });
    expect(comparable(mine)).toEqual(comparable(await raw('contacts').findOne({ _id: 'ref-contact' as never })));
    expect(contact).toMatchObject({ name: 'Cara', emails: ['cara@example.org'] });
  });

  it.each([['an event agents hear of', 'ticket.created', 'agent_fanout'], ['an audit-only event', 'ticket.rule-applied', 'ticket_events']])(
    'records %s as the mongoose upsert did', async (_label, type, collection) => {
      const events = new MongoEventRepository(models);
      const data = { messageId: 'm_1', flagged: false, missing: undefined, delivery: ['a'] };
      await events.record({ id: `ev:${type}`, ticketId: 'tk_1', type, actor: 'contact:ct_1', data, at });
      await events.record({ id: `ev:${type}`, ticketId: 'tk_1', type, actor: 'someone else', data: {}, at });
      const model = collection === 'agent_fanout' ? models.AgentFanout : models.TicketEvent;
      await (model as typeof models.TicketEvent).updateOne({ _id: `ref:${type}` }, { $setOnInsert: { ticketId: 'tk_1', type, actor: 'contact:ct_1', data, at } }, { upsert: true });
      expect(comparable(await raw(collection).findOne({ _id: `ev:${type}` as never })))
        .toEqual(comparable(await raw(collection).findOne({ _id: `ref:${type}` as never })));
    },
  );
});
