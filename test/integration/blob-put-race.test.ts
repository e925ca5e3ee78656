/** Content-addressed blob puts never delete: racing puts and a put after a torn upload keep every byte. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridFsBlobStore } from '../../src/infra/mongo/gridfs.blob-store.ts';
import { openTestDb } from '../support/database.ts';

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('blob puts are idempotent upserts', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  beforeAll(async () => {
    db = await openTestDb('blobrace');
  });
  afterAll(() => db.drop());

  it('keeps the content whole when the same attachment is stored by several ingests at once', async () => {
    const data = randomBytes(1_200_000); // five chunks
    const stores = Array.from({ length: 4 }, () => new GridFsBlobStore(db.conn.db!));
    const results = await Promise.allSettled(stores.map((s) => s.put(data, { filename: 'same.pdf', contentType: 'application/pdf' })));
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const id = (results[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    expect(await readAll(await stores[0]!.get(id))).toEqual(data);
    expect(await db.conn.db!.collection('blobs.chunks').countDocuments({ files_id: id })).toBe(5);
  });

  it('completes a torn upload (chunks without a files document) without deleting a chunk', async () => {
    const store = new GridFsBlobStore(db.conn.db!);
    const data = randomBytes(600_000);
    const first = await store.put(data, { filename: 'torn.bin', contentType: 'application/octet-stream' });
    // A crash after the first chunks: the files document is missing, some chunks are there.
    await db.conn.db!.collection('blobs.files').deleteOne({ _id: first.id as never });
    await db.conn.db!.collection('blobs.chunks').deleteOne({ files_id: first.id, n: 2 });
    const chunk0 = await db.conn.db!.collection('blobs.chunks').findOne({ files_id: first.id, n: 0 });
    const again = await store.put(data, { filename: 'torn.bin', contentType: 'application/octet-stream' });
    expect(again.id).toBe(first.id);
    expect(await readAll(await store.get(again.id))).toEqual(data);
    // The chunk that was there is the same document: nothing was deleted and rewritten.
    expect((await db.conn.db!.collection('blobs.chunks').findOne({ files_id: first.id, n: 0 }))?._id).toEqual(chunk0?._id);
  });
});
