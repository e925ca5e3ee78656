/**
 * Outbox claims are fenced and leased: a claim is a unique insert naming its sender, a sender's
 * one heartbeat covers everything it claimed (however slow a send), another sender takes an entry
 * only once that lease has run out, and a result is recorded only while its claim is current.
 * Finished entries leave the queue (sent ones with the sender's next claim round or sweep); one queued
 * again afterwards (a crash-retried ingest) is not sent twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxDispatcher, type ChannelAdapter, type OutboundMessage, type OutboxClaimRequest } from '../../src/core/index.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { createModels, ensureIndexes, type Models } from '../../src/infra/mongo/models.ts';
import { MongoOutboxRepository } from '../../src/infra/mongo/outbox.repository.ts';
import { connectMongo } from '../../src/infra/db/mongo.connection.ts';
import { mongoUri, openTestDb } from '../support/database.ts';

const message = (id: string): OutboundMessage => ({
  id, kind: 'ack', channel: 'email', ticketId: `tk_${id}`, ticketNumber: 1, to: [{ address: 'c@example.org' }],
  from: { address: 'support@helpdesk.test' }, subject: 'Re: help', text: 'hi', html: '<p>hi</p>',
  messageId: `${id}@helpdesk.test`, references: [], headers: [],
});
const receipt = { accepted: ['c@example.org'], rejected: [] };
const request = (sender: string, extra: Partial<OutboxClaimRequest> = {}): OutboxClaimRequest => ({ limit: 16, channels: ['email'], sender, leaseMs: 1000, exclude: [], ...extra });

/** A channel whose sends wait until released; it counts every send it was handed. */
function slowChannel() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  const sent: string[] = [];
  const channel: ChannelAdapter = {
    id: 'email', start: async () => {}, stop: async () => {}, health: async () => ({ ok: true, detail: '' }),
    deliver: async (m) => { sent.push(m.id); await released; return { status: 'delivered', receipt }; },
  };
  return { channel, sent, release };
}

describe('outbox claims are fenced', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let models: Models;
  let outbox: MongoOutboxRepository;
  beforeAll(async () => {
    db = await openTestDb('fencing');
    models = createModels(db.conn);
    await ensureIndexes(models);
    outbox = new MongoOutboxRepository(models);
  });
  afterAll(() => db.drop());
  beforeEach(async () => {
    for (const name of ['outbox', 'outbox_done', 'outbox_claims', 'outbox_senders']) await db.conn.collection(name).deleteMany({});
  });

  it('a sender whose lease ran out loses its claim: its late result changes nothing, the new sender\'s stands', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    await outbox.enqueue(message('late-retry'), t0);
    await outbox.heartbeat('a', new Date(t0.getTime() + 1000));
    const [first] = (await outbox.claimDue(t0, request('a'))).claimed;
    expect(first?.id).toBe('late-retry');
    // Sender a stalls past its lease; b takes the entry over and delivers it.
    const later = new Date(t0.getTime() + 5000);
    await outbox.heartbeat('b', new Date(later.getTime() + 60_000));
    const [second] = (await outbox.claimDue(later, request('b'))).claimed;
    expect(second?.id).toBe('late-retry');
    expect(second!.claimToken).not.toBe(first!.claimToken);
    expect(await outbox.settle([{ entry: second!, status: 'sent', receipt, at: later }])).toEqual([true]);
    // a wakes up and reports its (stale) outcomes.
    expect(await outbox.settle([{ entry: first!, status: 'retry', error: 'connection reset', nextAttemptAt: later }])).toEqual([false]);
    expect(await outbox.settle([{ entry: first!, status: 'failed', error: 'gave up', at: later, verify: true }])).toEqual([false]);
    const entry = await outbox.byId('late-retry');
    expect(entry).toMatchObject({ status: 'sent', attempts: 2 });
    expect(entry?.lastError).toBeUndefined();
    // The sent entry's waiting copy goes with the next claim round or the sweep; meanwhile nobody claims it again.
    expect((await outbox.claimDue(later, request('b'))).claimed).toEqual([]);
    await outbox.sweep();
    expect(await models.Outbox.countDocuments({ _id: 'late-retry' })).toBe(0); // out of the queue
  });

  it('a live sender keeps what it claimed: another sender is told it is held and looks elsewhere', async () => {
    const t0 = new Date('2026-01-02T00:00:00Z');
    await outbox.enqueue(message('held'), t0);
    await outbox.heartbeat('c', new Date(t0.getTime() + 60_000));
    const [mine] = (await outbox.claimDue(t0, request('c'))).claimed;
    await outbox.heartbeat('d', new Date(t0.getTime() + 60_000));
    const other = await outbox.claimDue(new Date(t0.getTime() + 5000), request('d'));
    expect(other.claimed).toEqual([]);
    expect(other.heldElsewhere.map((h) => h.id)).toEqual(['held']);
    expect(await outbox.settle([{ entry: mine!, status: 'sent', receipt, at: t0 }])).toEqual([true]);
  });

  it('a send that outlasts the lease many times keeps its claim: no second sender takes the entry meanwhile', async () => {
    const clock = { now: () => new Date() };
    await outbox.enqueue(message('slow-send'), new Date(Date.now() - 1000));
    const slow = slowChannel();
    const dispatcher = new OutboxDispatcher(outbox, new Map([['email', slow.channel]]), {
      pollIntervalMs: 60_000, maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 1000, leaseMs: 1000,
    }, clock, createLogger('silent'));
    const pass = dispatcher.drain();
    while (!slow.sent.length) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 3500)); // three and a half leases
    await outbox.heartbeat('e', new Date(Date.now() + 60_000));
    expect((await outbox.claimDue(new Date(), request('e'))).claimed).toEqual([]);
    slow.release();
    await pass;
    expect(await outbox.byId('slow-send')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(slow.sent).toEqual(['slow-send']);
  });

  it('the lease runs from when the claim is written, not from when the scan began: a slow scan hands nothing to a second sender', async () => {
    // The claiming dispatcher's first clock reading (taken before its due scan) is 3 s old by the
    // time the claim lands, as on a loaded database; the lease must still cover the whole send.
    let readings = 0;
    const clock = { now: () => new Date(Date.now() - (readings++ === 0 ? 3000 : 0)) };
    await outbox.enqueue(message('slow-scan'), new Date(Date.now() - 10_000));
    const slow = slowChannel();
    const dispatcher = new OutboxDispatcher(outbox, new Map([['email', slow.channel]]), {
      pollIntervalMs: 60_000, maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 1000, leaseMs: 2000,
    }, clock, createLogger('silent'));
    const pass = dispatcher.drain();
    while (!slow.sent.length) await new Promise((r) => setTimeout(r, 20));
    await outbox.heartbeat('f', new Date(Date.now() + 60_000));
    expect((await outbox.claimDue(new Date(), request('f', { leaseMs: 2000 }))).claimed).toEqual([]);
    slow.release();
    await pass;
    expect(slow.sent).toEqual(['slow-scan']);
    expect(await outbox.byId('slow-scan')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a sender that died frees its entries once its lease runs out, and one that retired at once', async () => {
    const t0 = new Date('2026-01-03T00:00:00Z');
    await outbox.enqueue(message('orphan'), t0);
    await outbox.heartbeat('dead', new Date(t0.getTime() + 1000));
    expect((await outbox.claimDue(t0, request('dead'))).claimed).toHaveLength(1);
    await outbox.heartbeat('g', new Date(t0.getTime() + 60_000));
    expect((await outbox.claimDue(new Date(t0.getTime() + 500), request('g'))).claimed).toEqual([]);
    const [taken] = (await outbox.claimDue(new Date(t0.getTime() + 1500), request('g'))).claimed;
    expect(taken).toMatchObject({ id: 'orphan', attempts: 2 }); // the dead sender's attempt counts as made
    await outbox.retire('g');
    await outbox.heartbeat('h', new Date(t0.getTime() + 60_000));
    expect((await outbox.claimDue(new Date(t0.getTime() + 1600), request('h'))).claimed.map((e) => [e.id, e.attempts])).toEqual([['orphan', 3]]);
  });

  it('an entry queued again after it was sent (a crash-retried ingest) is not sent again, nor is a leftover of a crash mid-move', async () => {
    const t0 = new Date('2026-01-04T00:00:00Z');
    await outbox.heartbeat('i', new Date(t0.getTime() + 60_000));
    await outbox.enqueue(message('once'), t0);
    const [entry] = (await outbox.claimDue(t0, request('i'))).claimed;
    expect(await outbox.settle([{ entry: entry!, status: 'sent', receipt, at: t0 }])).toEqual([true]);
    await outbox.enqueue(message('once'), t0); // the replay
    // A crash after the finished copy was written but before the queue's copy was deleted.
    await outbox.enqueue(message('mid-move'), t0);
    const [moving] = (await outbox.claimDue(t0, request('i'))).claimed;
    expect(moving?.id).toBe('mid-move');
    await models.OutboxDone.collection.insertOne({ ...(await models.Outbox.findById('mid-move').lean()), status: 'sent', attempts: 1 } as never);
    await outbox.retire('i');
    await outbox.heartbeat('j', new Date(t0.getTime() + 60_000));
    expect((await outbox.claimDue(t0, request('j'))).claimed).toEqual([]);
    expect(await models.Outbox.countDocuments({ _id: { $in: ['once', 'mid-move'] } })).toBe(0);
    expect(await outbox.byId('once')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('two dispatchers racing for one entry: exactly one claims it (findAndModify is not atomic on every server)', async () => {
    const other = await connectMongo(mongoUri(), db.dbName);
    try {
      const second = new MongoOutboxRepository(createModels(other));
      const now = new Date();
      await outbox.heartbeat('k', new Date(now.getTime() + 60_000));
      await second.heartbeat('l', new Date(now.getTime() + 60_000));
      for (let i = 0; i < 10; i++) {
        await outbox.enqueue(message(`race-${i}`), new Date(0));
        const claims = await Promise.all([outbox.claimDue(now, request('k')), second.claimDue(now, request('l'))]);
        const won = claims.flatMap((c) => c.claimed);
        expect(won.map((c) => c.id)).toEqual([`race-${i}`]);
        expect(await outbox.settle([{ entry: won[0]!, status: 'sent', receipt, at: now }])).toEqual([true]);
      }
    } finally {
      await other.close();
    }
  });
});
