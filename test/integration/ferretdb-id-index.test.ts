/**
 * The test server's `_id` lookups use its `_id` index. Intake goes by `_id` everywhere so that a mail
 * costs the same with a year of mail stored; stock FerretDB 1.24 on SQLite scans the whole table for
 * every find, update and delete by `_id` (its queries and its index use different expressions).
 * scripts/install-ferretdb.sh builds it with that fixed; this fails on a stock build, and checks that
 * the fixed lookups still find, change, create and delete the right documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type mongoose from 'mongoose';
import { openTestDb } from '../support/database.ts';

type Doc = { _id: string; n: number };
const onFerretDb = inject('mongoKind') === 'ferretdb';

describe.skipIf(!onFerretDb)('FerretDB (SQLite) lookups by _id', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let docs: mongoose.mongo.Collection<Doc>;

  beforeAll(async () => {
    db = await openTestDb('idindex');
    docs = db.conn.db!.collection<Doc>('docs');
    await docs.insertMany(Array.from({ length: 50 }, (_, n) => ({ _id: `d_${n}`, n })));
  });
  afterAll(async () => { await db?.drop(); });

  it('reads one document through the _id index instead of scanning the table', async () => {
    const plan = JSON.stringify((await docs.find({ _id: 'd_7' }).explain()).queryPlanner);
    expect(plan, 'stock FerretDB 1.24 scans here: run `npm run install:ferretdb` to build it with the fix').toMatch(/SEARCH \S+ USING INDEX/);
    expect(plan).not.toMatch(/SCAN/);
  });

  it('finds, changes, creates and deletes exactly the document named by _id', async () => {
    expect(await docs.findOne({ _id: 'd_7' })).toEqual({ _id: 'd_7', n: 7 });
    expect(await docs.findOne({ _id: 'missing' })).toBeNull();

    expect((await docs.updateOne({ _id: 'd_8' }, { $set: { n: 80 } })).modifiedCount).toBe(1);
    expect(await docs.findOneAndUpdate({ _id: 'd_9' }, { $inc: { n: 1 } }, { returnDocument: 'after' })).toEqual({ _id: 'd_9', n: 10 });
    expect((await docs.updateOne({ _id: 'new' }, { $set: { n: -1 } }, { upsert: true })).upsertedId).toBe('new');
    expect((await docs.deleteOne({ _id: 'd_10' })).deletedCount).toBe(1);
    await expect(docs.insertOne({ _id: 'd_11', n: 0 })).rejects.toMatchObject({ code: 11000 });

    const all = await docs.find({}).toArray();
    expect(all).toHaveLength(50);
    const byId = new Map(all.map((d) => [d._id, d.n]));
    expect([byId.get('d_8'), byId.get('d_9'), byId.get('new'), byId.has('d_10'), byId.get('d_11'), byId.get('d_12')])
      .toEqual([80, 10, -1, false, 11, 12]);
  });
});
