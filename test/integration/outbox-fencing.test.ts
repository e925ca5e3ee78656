/**
 * The outbox claim is a fenced lease: once a claim has run out and another sender holds the entry,
 * the first sender's late updates change nothing, and a sender that is still working renews it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxDispatcher, type ChannelAdapter, type OutboundMessage } from '../../src/core/index.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createModels, ensureIndexes } from '../../src/infra/mongo/models.ts';
import { MongoOutboxRepository } from '../../src/infra/mongo/outbox.repository.ts';
import { connectMongo } from '../../src/infra/db/mongo.connection.ts';
import { mongoUri, openTestDb } from '../support/database.ts';

const message = (id: string): OutboundMessage => ({
  id, kind: 'ack', channel: 'email', ticketId: 'tk_1', ticketNumber: 1, to: [{ address: 'c@example.org' }],
  from: { address: 'support@helpdesk.test' }, subject: 'Re: help', text: 'hi', html: '<p>hi</p>',
  messageId: `${id}@helpdesk.test`, references: [], headers: [],
});

describe('outbox claims are fenced', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let outbox: MongoOutboxRepository;
  beforeAll(async () => {
    db = await openTestDb('fencing');
    const models = createModels(db.conn);
    await ensureIndexes(models);
    outbox = new MongoOutboxRepository(models);
  });
  afterAll(() => db.drop());

  it('a late retry from a sender whose lease ran out does not overwrite the sent state', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    await outbox.enqueue(message('late-retry'), t0);
    const first = await outbox.claimDue(t0, 1000, ['email']);
    expect(first?.id).toBe('late-retry');
    // The first sender stalls past its lease; a second one claims the entry and delivers it.
    const later = new Date(t0.getTime() + 5000);
    const second = await outbox.claimDue(later, 1000, ['email']);
    expect(second?.id).toBe('late-retry');
    expect(second!.claimToken).not.toBe(first!.claimToken);
    expect(await outbox.markSent('late-retry', second!.claimToken!, { accepted: ['c@example.org'], rejected: [] }, later)).toBe(true);
    // The first sender wakes up and reports its (stale) failure.
    expect(await outbox.markRetry('late-retry', first!.claimToken!, 'connection reset', new Date(later.getTime() + 60_000))).toBe(false);
    expect(await outbox.markFailed('late-retry', first!.claimToken!, 'gave up', later)).toBe(false);
    const entry = await outbox.byId('late-retry');
    expect(entry).toMatchObject({ status: 'sent', attempts: 2 });
    expect(entry?.lastError).toBeUndefined();
  });

  it('a renewed lease keeps the entry from being claimed by another sender', async () => {
    const t0 = new Date('2026-01-02T00:00:00Z');
    await outbox.enqueue(message('renewed'), t0);
    const claim = await outbox.claimDue(t0, 1000, ['email']);
    expect(await outbox.extendLease('renewed', claim!.claimToken!, new Date(t0.getTime() + 10_000))).toBe(true);
    expect(await outbox.claimDue(new Date(t0.getTime() + 5000), 1000, ['email'])).toBeNull();
    expect(await outbox.extendLease('renewed', 'not-the-claim', new Date(t0.getTime() + 60_000))).toBe(false);
    expect(await outbox.markSent('renewed', claim!.claimToken!, { accepted: ['c@example.org'], rejected: [] }, t0)).toBe(true);
  });

  it('a send that outlasts the lease keeps its claim: no second sender takes the entry meanwhile', async () => {
    const clock = { now: () => new Date() };
    await outbox.enqueue(message('slow-send'), new Date(Date.now() - 1000));
    let release!: () => void;
    const sending = new Promise<void>((resolve) => { release = resolve; });
    let started = false;
    const slow: ChannelAdapter = {
      id: 'email', start: async () => {}, stop: async () => {}, health: async () => ({ ok: true, detail: '' }),
      deliver: async () => { started = true; await sending; return { status: 'delivered', receipt: { accepted: ['c@example.org'], rejected: [] } }; },
    };
    const dispatcher = new OutboxDispatcher(outbox, new Map([['email', slow]]), {
      pollIntervalMs: 60_000, maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 1000, leaseMs: 1000,
    }, clock, createLogger('silent'));
    const pass = dispatcher.drain();
    while (!started) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 2500)); // two and a half leases
    expect(await outbox.claimDue(new Date(), 1000, ['email'])).toBeNull();
    release();
    await pass;
    expect(await outbox.byId('slow-send')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('two dispatchers racing for one entry: exactly one claims it (findAndModify is not atomic on every server)', async () => {
    const other = await connectMongo(mongoUri(), db.dbName);
    try {
      const second = new MongoOutboxRepository(createModels(other));
      for (let i = 0; i < 10; i++) {
        await outbox.enqueue(message(`race-${i}`), new Date(0));
        const now = new Date();
        const claims = await Promise.all([outbox.claimDue(now, 60_000, ['email']), second.claimDue(now, 60_000, ['email'])]);
        expect(claims.filter(Boolean).map((c) => c!.id)).toEqual([`race-${i}`]);
        const winner = claims.find(Boolean)!;
        expect(await outbox.markSent(winner.id, winner.claimToken!, { accepted: [], rejected: [] }, now)).toBe(true);
      }
    } finally {
      await other.close();
    }
  });
});
