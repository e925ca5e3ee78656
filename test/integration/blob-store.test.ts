/** GridFS on the test server (FerretDB 1.24 lists it as untested): upload, download byte for byte, delete. */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridFsBlobStore } from '../../src/infra/mongo/gridfs.blob-store.ts';
import { openTestDb } from '../support/database.ts';

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('GridFS blob store on the real server', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let store: GridFsBlobStore;
  beforeAll(async () => {
    db = await openTestDb('blobs');
    store = new GridFsBlobStore(db.conn.db!);
  });
  afterAll(() => db.drop());

  it('stores a multi-chunk buffer once and returns it byte for byte', async () => {
    const data = randomBytes(700_000); // several 255 KiB chunks
    const first = await store.put(data, { filename: 'scan.pdf', contentType: 'application/pdf' });
    const again = await store.put(data, { filename: 'scan.pdf', contentType: 'application/pdf' });
    expect(again.id).toBe(first.id);
    expect(first.size).toBe(data.length);
    expect(await readAll(await store.get(first.id))).toEqual(data);
    expect((await store.stat(first.id))?.checksum).toBe(first.checksum);
    expect(await db.conn.db!.collection('blobs.files').countDocuments({ _id: first.id as never })).toBe(1);
  });

  it('stores a buffer that fits in one chunk as one document, and returns it byte for byte', async () => {
    const data = randomBytes(20_000);
    const first = await store.put(data, { filename: 'message.eml', contentType: 'message/rfc822' });
    const again = await store.put(data, { filename: 'message.eml', contentType: 'message/rfc822' });
    expect(again.id).toBe(first.id);
    expect(await readAll(await store.get(first.id))).toEqual(data);
    expect(await store.stat(first.id)).toMatchObject({ size: data.length, checksum: first.checksum, contentType: 'message/rfc822' });
    expect(await db.conn.db!.collection('blobs.chunks').countDocuments({ files_id: first.id })).toBe(0);
    await store.delete(first.id);
    expect(await store.stat(first.id)).toBeNull();
  });

  it('streams a put with size and checksum recorded', async () => {
    const data = randomBytes(300_000);
    const info = await store.put(Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]), { filename: 'a.bin', contentType: 'application/octet-stream' });
    expect(info.size).toBe(data.length);
    expect((await store.stat(info.id))?.checksum).toBe(info.checksum);
    expect(await readAll(await store.get(info.id))).toEqual(data);
  });

  it('deletes the file and its chunks', async () => {
    const info = await store.put(randomBytes(400_000), { filename: 'x', contentType: 'text/plain' });
    await store.delete(info.id);
    expect(await store.stat(info.id)).toBeNull();
    expect(await db.conn.db!.collection('blobs.chunks').countDocuments({ files_id: info.id })).toBe(0);
    await expect(store.get(info.id)).rejects.toThrow(/not found/);
  });

  it('never returns a shortened blob as if it were whole: lost chunks are an error', async () => {
    const chunks = db.conn.db!.collection('blobs.chunks');
    const tail = await store.put(randomBytes(600_000), { filename: 'tail', contentType: 'application/octet-stream' });
    await chunks.deleteOne({ files_id: tail.id, n: 2 }); // the last chunk: the driver alone would end quietly
    await expect(readAll(await store.get(tail.id))).rejects.toThrow(/ended at 522240 of 600000 bytes/);
    const head = await store.put(randomBytes(600_000), { filename: 'head', contentType: 'application/octet-stream' });
    await chunks.deleteMany({ files_id: head.id });
    await expect(store.get(head.id)).rejects.toMatchObject({ code: 'E_CORRUPT' });
  });
});
