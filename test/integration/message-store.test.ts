/**
 * Messages are inserted with the driver, not mongoose's `create` (cheaper per mail): what is stored
 * must be what `create` stored for the same message, field for field, and a second insert of the
 * same message is still refused as a duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decision, StoredMessage } from '../../src/core/index.ts';
import { MongoMessageRepository } from '../../src/infra/mongo/message.repository.ts';
import { createModels } from '../../src/infra/mongo/models.ts';
import { openTestDb } from '../support/database.ts';

type NewMessage = Omit<StoredMessage, 'id' | 'createdAt'>;

/** The document without what differs by design (ids), keys sorted at every level. */
function comparable(doc: Record<string, unknown> | null): unknown {
  const rest = { ...doc };
  delete rest._id;
  delete rest.externalId;
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v instanceof Date || v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
  };
  return sort(rest);
}

const full: NewMessage = {
  ticketId: 'tk_1', ticketNumber: 7, direction: 'inbound', channel: 'email', externalId: 'full@example.org', rfcMessageId: 'full@example.org',
  fromContactId: 'c_1', from: { address: 'ana@example.org', name: 'Ana' }, to: [{ address: 'support@helpdesk.test' }],
  cc: [{ address: 'budi@example.org', name: 'Budi' }], subject: 'Printer', text: 'It jams.', html: '<p>It jams.</p>', visibleText: 'It jams.',
  attachments: [{ blobId: 'sha256-1', filename: 'a.pdf', contentType: 'application/pdf', size: 10, checksum: 'x', inline: false }],
  classification: 'human', rawBlobId: 'sha256-raw', complete: false, opensTicket: true, flagged: false, contentHash: 'h1', role: 'customer',
  decisions: [{ step: 'classify', rule: 'human', detail: 'no markers' }, { step: 'thread', rule: 'new', detail: 'no hints' }],
  recipientCounts: { to: 1, cc: 60 }, linkedTicketNumbers: [3],
};
// As little as a message can have: no lists, an empty sender, optional fields present but undefined.
const bare = {
  ticketId: 'tk_2', ticketNumber: 0, direction: 'outbound', channel: 'chat', externalId: 'bare-1', from: {},
  rfcMessageId: undefined, fromContactId: undefined, subject: 'Hi', text: 'Hi', complete: true,
} as unknown as NewMessage;

describe('message store', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let repo: MongoMessageRepository;
  let models: ReturnType<typeof createModels>;
  beforeAll(async () => {
    db = await openTestDb('msgstore');
    models = createModels(db.conn);
    repo = new MongoMessageRepository(models);
  });
  afterAll(() => db.drop());

  it.each([['a full inbound mail', full], ['a bare message', bare]])('stores %s as mongoose create did', async (_label, message) => {
    const stored = await repo.insert(message);
    expect(stored?.id).toBeTruthy();
    const createdAt = stored!.createdAt;
    await models.Message.create({ _id: `ref-${message.externalId}`, ...message, externalId: `ref-${message.externalId}`, createdAt });
    const mine = await db.conn.db!.collection('messages').findOne({ _id: stored!.id as never });
    const reference = await db.conn.db!.collection('messages').findOne({ _id: `ref-${message.externalId}` as never });
    expect(comparable(mine)).toEqual(comparable(reference));
    expect(await repo.byExternalId(message.channel, message.externalId)).toMatchObject({ id: stored!.id, subject: message.subject });
  });

  it('stores the acknowledgement copy with the completion as the mongoose bulk did', async () => {
    const inbound = { ...full, externalId: 'acked@example.org' };
    const copy = { ...bare, ticketId: 'tk_1', ticketNumber: 7, direction: 'outbound', channel: 'email', externalId: 'ack-copy-1', from: { address: 'support@helpdesk.test' } } as NewMessage;
    const decision: Decision = { step: 'ack', rule: 'sent', detail: 'queued' };
    await repo.insert(inbound);
    await repo.markComplete(inbound.channel, inbound.externalId, 7, decision, copy);
    const createdAt = (await db.conn.db!.collection('messages').findOne({ externalId: copy.externalId }))?.createdAt;
    await models.Message.bulkWrite([
      { updateOne: { filter: { _id: `ref-${copy.externalId}` }, update: { $setOnInsert: { ...copy, externalId: `ref-${copy.externalId}`, createdAt } }, upsert: true } },
    ]);
    const mine = await db.conn.db!.collection('messages').findOne({ externalId: copy.externalId });
    const reference = await db.conn.db!.collection('messages').findOne({ _id: `ref-${copy.externalId}` as never });
    expect(comparable(mine)).toEqual(comparable(reference));
    expect(await repo.byExternalId(inbound.channel, inbound.externalId)).toMatchObject({ complete: true, ticketNumber: 7, ackDecision: decision });
  });

  it('answers null for a message stored already', async () => {
    const message = { ...full, externalId: 'twice@example.org' };
    expect(await repo.insert(message)).not.toBeNull();
    expect(await repo.insert(message)).toBeNull();
  });
});
