/**
 * A chat line finds its conversation's ticket through `conversation_tickets` (by `_id`), not by a
 * scan over `tickets`. Tickets stored before the pointers existed must still be found (a one-time
 * backfill at start), and a pointer to a ticket a crash kept from being stored must not hide the
 * conversation's tickets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes } from '../../src/infra/mongo/models.ts';
import { openTestCore } from '../support/core.ts';

describe('conversation -> ticket', () => {
  let t: Awaited<ReturnType<typeof openTestCore>>;
  beforeAll(async () => {
    t = await openTestCore('convtickets');
  });
  afterAll(() => t.drop());

  const oldTicket = (id: string, number: number, conversationKey: string) => ({
    _id: id, originKey: `chat:${id}`, number, subject: 'Old chat', status: 'open', priority: 'normal', channel: 'chat',
    requesterId: 'c_old', participantIds: [], locale: 'en', flags: [], tags: [], conversationKey,
    createdAt: new Date(), updatedAt: new Date(), lastMessageAt: new Date(),
  });

  it('finds tickets stored before the pointers, after the backfill at start, and the newest of a conversation', async () => {
    const { models, repos } = t.core;
    // What an older version left: tickets with a conversationKey and no pointer (the backfill ran on an empty database).
    await models.Ticket.collection.insertMany([oldTicket('tk_old1', 901, 'chat:v_old'), oldTicket('tk_old2', 902, 'chat:v_old'), oldTicket('tk_other', 903, 'chat:v_other')] as never[]);
    await models.Migration.deleteMany({});
    expect(await repos.tickets.byConversation('chat:v_old')).toBeNull();

    await ensureIndexes(models);
    expect((await repos.tickets.byConversation('chat:v_old'))?.number).toBe(902);
    expect((await repos.tickets.byConversation('chat:v_other'))?.number).toBe(903);
    expect(await repos.tickets.byConversation('chat:v_none')).toBeNull();

    // Once done it is not run again: a later start leaves pointers alone.
    await models.ConversationTicket.updateOne({ _id: 'chat:v_other' }, { $set: { ticketId: 'tk_old1' } });
    await ensureIndexes(models);
    expect((await repos.tickets.byConversation('chat:v_other'))?.number).toBe(901);
  });

  it('a new ticket of a conversation moves its pointer; a pointer to a ticket never stored falls back to the stored ones', async () => {
    const { repos } = t.core;
    const at = new Date();
    const base = { subject: 'Hi', channel: 'chat' as const, requesterId: 'c_1', participantIds: ['c_1'], locale: 'en' as const, at, flags: [], conversationKey: 'chat:v_new' };
    const first = await repos.tickets.createOnce({ ...base, originKey: 'chat:v_new:1' });
    expect((await repos.tickets.byConversation('chat:v_new'))?.id).toBe(first.id);
    const second = await repos.tickets.createOnce({ ...base, originKey: 'chat:v_new:2' });
    expect((await repos.tickets.byConversation('chat:v_new'))?.id).toBe(second.id);

    // A crash between the pointer and its ticket: the pointer names a ticket that is not there.
    await t.core.models.ConversationTicket.updateOne({ _id: 'chat:v_new' }, { $set: { ticketId: 'tk_never_stored' } });
    expect((await repos.tickets.byConversation('chat:v_new'))?.id).toBe(second.id);
  });
});
