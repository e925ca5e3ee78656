/**
 * The outbox dispatcher routes each entry of the outbound union to the adapter its channel tag
 * names, and acts on what the adapter says: delivered, not connected (undelivered, and the away
 * hook hears of the missed line), retry later, failed for good. Real outbox on the test database; the two adapters are
 * small recording channels (a live chat stand-in has no transport library to use).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DeliveryError, OutboxDispatcher, type AwayRecipients, type ChannelAdapter, type ChatOutbound, type DeliveryResult, type MailOutbound,
  type OutboundMessage, type OutboxRepository,
} from '../../src/core/index.ts';
import { createModels, ensureIndexes, type Models } from '../../src/infra/mongo/models.ts';
import { createRepositories } from '../../src/infra/mongo/repositories.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { openTestDb } from '../support/database.ts';

class RecordingChannel<M extends OutboundMessage> implements ChannelAdapter<M> {
  readonly received: M[] = [];
  answer: (m: M) => DeliveryResult = () => ({ status: 'delivered', receipt: { accepted: ['x'], rejected: [] } });
  constructor(readonly id: string) {}
  async start() {}
  async stop() {}
  async health() { return { ok: true, detail: 'test' }; }
  async deliver(message: M): Promise<DeliveryResult> {
    this.received.push(message);
    return this.answer(message);
  }
}

const mail = (id: string): MailOutbound => ({
  id, kind: 'agent-reply', channel: 'email', ticketId: 't1', ticketNumber: 1, text: 'Hello',
  to: [{ address: 'visitor@example.org' }], from: { address: 'support@helpdesk.test' }, subject: 'Re: help', html: '<p>Hello</p>',
  messageId: `${id}@helpdesk.test`, references: [], headers: [],
});
const chat = (id: string): ChatOutbound => ({
  id, kind: 'agent-reply', channel: 'chat', ticketId: 't1', ticketNumber: 1, text: 'Hello', contactId: 'ct-visitor',
  authorName: 'Dana',
});

describe('outbox dispatcher and the outbound union', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let models: Models;
  let outbox: OutboxRepository;
  let email: RecordingChannel<MailOutbound>;
  let live: RecordingChannel<ChatOutbound>;
  let dispatcher: OutboxDispatcher;
  let missed: string[];
  const now = new Date('2026-01-01T00:00:00Z');

  beforeAll(async () => {
    db = await openTestDb('dispatcher');
    models = createModels(db.conn);
    await ensureIndexes(models);
    outbox = createRepositories(db.conn, models).outbox;
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    await models.Outbox.deleteMany({});
    await models.OutboxDone.deleteMany({});
    email = new RecordingChannel('email');
    live = new RecordingChannel('chat');
    missed = [];
    const away: AwayRecipients = { missed: async (entry) => { missed.push(entry.id); } };
    dispatcher = new OutboxDispatcher(outbox, new Map<string, ChannelAdapter>([['email', email], ['chat', live]]), {
      pollIntervalMs: 1000, maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 10_000, leaseMs: 60_000,
    }, { now: () => now }, createLogger('silent'), undefined, away);
  });

  /** Passes until nothing is due (a dispatcher that was never started takes one entry per pass). */
  const drainAll = async () => {
    let total = 0;
    for (let n = await dispatcher.drain(); n > 0; n = await dispatcher.drain()) total += n;
    return total;
  };
  const status = async (id: string) => (await outbox.byId(id))?.status;

  it('hands each variant to the adapter of its channel, with its own fields', async () => {
    await outbox.enqueue(mail('m1'), now);
    await outbox.enqueue(chat('c1'), now);
    expect(await drainAll()).toBe(2);
    expect(email.received.map((m) => [m.id, m.messageId])).toEqual([['m1', 'm1@helpdesk.test']]);
    expect(live.received.map((m) => [m.id, m.contactId, m.authorName])).toEqual([['c1', 'ct-visitor', 'Dana']]);
    expect([await status('m1'), await status('c1')]).toEqual(['sent', 'sent']);
  });

  it('marks a line the chat visitor missed undelivered, tells the away hook once, and never retries it', async () => {
    live.answer = () => ({ status: 'not-connected', detail: 'visitor offline' });
    await outbox.enqueue(chat('c2'), now);
    await drainAll();
    expect(await outbox.byId('c2')).toMatchObject({ status: 'undelivered', lastError: 'visitor offline', attempts: 1 });
    expect(missed).toEqual(['c2']);
    expect(email.received).toEqual([]);
    expect(await drainAll()).toBe(0);
    expect(missed).toEqual(['c2']);
  });

  it('fails for good at once on a failed result or a permanent DeliveryError', async () => {
    live.answer = () => ({ status: 'failed', error: 'conversation closed' });
    email.answer = () => { throw new DeliveryError(true, 'smtp: 550 no such user'); };
    await outbox.enqueue(chat('c4'), now);
    await outbox.enqueue(mail('m4'), now);
    await drainAll();
    expect(await outbox.byId('c4')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'conversation closed' });
    expect(await outbox.byId('m4')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'smtp: 550 no such user' });
  });

  it('retries later on a retry result or any other error, and fails when attempts run out', async () => {
    email.answer = () => { throw new Error('socket hang up'); };
    await outbox.enqueue(mail('m5'), now);
    await drainAll();
    const entry = await outbox.byId('m5');
    expect(entry).toMatchObject({ status: 'pending', attempts: 1, lastError: 'socket hang up' });
    expect(entry!.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime());

    live.answer = () => ({ status: 'retry', error: 'busy' });
    await outbox.enqueue(chat('c5'), now);
    await models.Outbox.updateOne({ _id: 'c5' }, { $set: { attempts: 2 } });
    await drainAll();
    expect(await outbox.byId('c5')).toMatchObject({ status: 'failed', attempts: 3, lastError: 'busy' });
  });
});
