/**
 * Contacts are people with identities per channel (email address, chat visitor id, site user id):
 * looked up and merged by identity on the real database, and the chat path no longer makes a new
 * anonymous requester per message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/index.ts';
import { mergeContact } from '../../src/infra/mongo/contact-merge.ts';
import { createModels, ensureIndexes } from '../../src/infra/mongo/models.ts';
import { createRepositories } from '../../src/infra/mongo/repositories.ts';
import { openTestCore } from '../support/core.ts';
import { openTestDb } from '../support/database.ts';

let seq = 0;
const chatMessage = (visitor: string, conversation: string, text: string): InboundMessage => ({
  channel: 'chat', externalId: `chat-${++seq}`, from: { channelUserId: visitor, name: 'Visitor' }, to: [], cc: [],
  subject: 'Chat', text, visibleText: text, attachments: [], receivedAt: new Date(),
  threadHints: { replyTokens: [], references: [], conversationId: conversation },
  classification: 'human', classificationReason: 'chat message',
});

describe('contact identities', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  beforeAll(async () => { env = await openTestCore('identities'); });
  afterAll(() => env.drop());
  const contacts = () => env.core.repos.contacts;

  it('finds the same contact by an email identity, whatever its case', async () => {
    const a = await contacts().findOrCreate({ kind: 'email', value: 'Ann@Example.org' }, 'Ann');
    const b = await contacts().findOrCreateByEmail({ address: 'ann@example.org' });
    expect(b.id).toBe(a.id);
    expect(a).toMatchObject({ name: 'Ann', emails: ['ann@example.org'], identities: [{ kind: 'email', value: 'ann@example.org' }] });
    expect((await contacts().byEmail('ANN@example.org'))?.id).toBe(a.id);
    expect(await contacts().byIdentity({ kind: 'chat', value: 'ann@example.org' })).toBeNull();
  });

  it('gives an identity exactly one owner, even to racing first messages', async () => {
    const racing = await Promise.all([1, 2, 3, 4, 5].map(() => contacts().findOrCreate({ kind: 'chat', value: 'v-race' })));
    expect(new Set(racing.map((c) => c.id)).size).toBe(1);
    const other = await contacts().findOrCreate({ kind: 'chat', value: 'v-other' });
    await expect(env.core.models.ContactIdentity.create({ _id: 'chat:v-race', contactId: other.id }))
      .rejects.toMatchObject({ code: 11000 });
  });

  it('files every message of a chat visitor under one contact, and one conversation as one ticket', async () => {
    const first = await env.core.ingest.ingest(chatMessage('v-42', 'conv-a', 'Hello?'));
    const second = await env.core.ingest.ingest(chatMessage('v-42', 'conv-a', 'Anyone there?'));
    const other = await env.core.ingest.ingest(chatMessage('v-42', 'conv-b', 'New question'));
    expect(first.outcome).toBe('created');
    expect(second).toMatchObject({ outcome: 'appended', ticketNumber: first.ticketNumber });
    expect(other.outcome).toBe('created');
    expect(other.ticketNumber).not.toBe(first.ticketNumber);
    const visitor = await contacts().byIdentity({ kind: 'chat', value: 'v-42' });
    const a = await env.core.repos.tickets.byNumber(first.ticketNumber!);
    const b = await env.core.repos.tickets.byNumber(other.ticketNumber!);
    expect([a!.requesterId, b!.requesterId]).toEqual([visitor!.id, visitor!.id]);
    const appended = await env.core.repos.messages.byExternalId('chat', `chat-${seq - 1}`);
    expect(appended!.decisions.find((d) => d.step === 'thread')?.rule).toBe('conversation');
  });

  it('merges a chat visitor into the contact of the email it proves, tickets included, and again changes nothing', async () => {
    const ann = await contacts().byEmail('ann@example.org');
    const visitor = await contacts().byIdentity({ kind: 'chat', value: 'v-42' });
    const linked = await contacts().link([{ kind: 'email', value: 'ann@example.org' }, { kind: 'chat', value: 'v-42' }]);
    expect(linked.id).toBe(ann!.id);
    expect(linked.identities).toEqual(expect.arrayContaining([{ kind: 'email', value: 'ann@example.org' }, { kind: 'chat', value: 'v-42' }]));
    expect((await contacts().byIdentity({ kind: 'chat', value: 'v-42' }))?.id).toBe(ann!.id);
    expect(await env.core.models.Ticket.countDocuments({ requesterId: visitor!.id })).toBe(0);
    expect(await env.core.models.Ticket.countDocuments({ requesterId: ann!.id })).toBe(2);

    const again = await contacts().link([{ kind: 'email', value: 'ann@example.org' }, { kind: 'chat', value: 'v-42' }]);
    expect(again).toEqual(linked);
    // The next chat message of that visitor now belongs to Ann.
    const next = await env.core.ingest.ingest(chatMessage('v-42', 'conv-c', 'It is me, Ann'));
    expect((await env.core.repos.tickets.byNumber(next.ticketNumber!))!.requesterId).toBe(ann!.id);
  });

  it('a merge cut short by a crash is finished at the next start', async () => {
    const into = await contacts().findOrCreate({ kind: 'email', value: 'bob@example.org' });
    const from = await contacts().findOrCreate({ kind: 'site', value: 'user-7' });
    // Step 1 of the merge only: the journal, as a crash right after it would leave it.
    await env.core.models.Contact.updateOne({ _id: from.id }, { $set: { mergedInto: into.id, mergedIdentities: ['site:user-7'] } });
    await ensureIndexes(env.core.models);
    expect((await contacts().byIdentity({ kind: 'site', value: 'user-7' }))?.id).toBe(into.id);
    await mergeContact(env.core.models, into.id, from.id); // repeating it is harmless
    expect((await contacts().byIds([into.id]))[0]!.identities).toHaveLength(2);
    expect((await contacts().byIds([from.id]))[0]!.identities).toEqual([]);
  });
});

describe('acknowledgement by the requester\'s routes', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  beforeAll(async () => { env = await openTestCore('ack_routes'); });
  afterAll(() => env.drop());

  it('acknowledges a web form submission by mail when the requester has an address', async () => {
    const result = await env.core.ingest.ingest({
      channel: 'webform', externalId: 'form-1', from: { address: 'dina@example.org', name: 'Dina' }, to: [], cc: [],
      subject: 'Invoice question', text: 'Where is my invoice?', visibleText: 'Where is my invoice?', attachments: [],
      receivedAt: new Date(), threadHints: { replyTokens: [], references: [] }, classification: 'human', classificationReason: 'form',
    });
    const stored = await env.core.repos.messages.byExternalId('webform', 'form-1');
    expect(stored!.ackDecision?.rule).toBe('queued');
    const ack = await env.core.models.Outbox.findOne({ kind: 'ack' }).lean();
    expect(ack).toMatchObject({ channel: 'email', ticketNumber: result.ticketNumber, to: [{ address: 'dina@example.org' }] });
  });

  it('does not acknowledge a chat visitor who has no address', async () => {
    await env.core.ingest.ingest(chatMessage('v-anon', 'conv-x', 'hi'));
    const stored = await env.core.repos.messages.byExternalId('chat', `chat-${seq}`);
    expect(stored!.ackDecision?.rule).toBe('no-address');
  });
});

describe('contacts stored before identities', () => {
  it('are migrated at start and found by their email address', async () => {
    const db = await openTestDb('legacy_contacts');
    try {
      await db.conn.collection('contacts').insertMany([
        { _id: 'ct_legacy1' as never, name: 'Old', emails: ['Old@Example.org'], createdAt: new Date() },
        { _id: 'ct_legacy2' as never, emails: ['other@example.org'], createdAt: new Date() },
      ]);
      const models = createModels(db.conn);
      await ensureIndexes(models);
      const repos = createRepositories(db.conn, models);
      expect(await repos.contacts.byEmail('old@example.org')).toMatchObject({ id: 'ct_legacy1', name: 'Old', emails: ['old@example.org'] });
      expect((await repos.contacts.findOrCreateByEmail({ address: 'other@example.org' })).id).toBe('ct_legacy2');
      expect(await db.conn.collection('contacts').countDocuments({ emails: { $exists: true } })).toBe(0);
      // A second start finds nothing left to move.
      await ensureIndexes(models);
      expect(await repos.contacts.byEmail('other@example.org')).toMatchObject({ id: 'ct_legacy2' });
    } finally {
      await db.drop();
    }
  });
});
