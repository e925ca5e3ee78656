/**
 * A BlobStore on the local file system, for test runs that store thousands of blobs: GridFS on the
 * FerretDB test server manages only a few dozen puts a second, which would stretch the 6,046-message
 * corpus run past ten minutes. It keeps the port's contract (streamed put and get, content-derived
 * ids for buffers, size and sha256 recorded) with real files, so nothing about storage is faked.
 * Each blob is `<id>` plus `<id>.json` with its metadata; writes go to a temp file and are renamed
 * into place, so a reader never sees half a blob.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobInfo, BlobStore } from '../../src/core/index.ts';

export class FsBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  async put(data: Buffer | Readable, meta: { filename: string; contentType: string }): Promise<BlobInfo> {
    const hash = createHash('sha256');
    let size = 0;
    const temp = join(this.dir, `.tmp-${randomUUID()}`);
    const source = Buffer.isBuffer(data) ? Readable.from([data]) : data;
    await pipeline(source, async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) { hash.update(chunk); size += chunk.length; yield chunk; }
    }, createWriteStream(temp));
    const checksum = hash.digest('hex');
    // Same rule as the GridFS store: buffers are content-addressed, streams get a fresh id.
    const info: BlobInfo = { id: Buffer.isBuffer(data) ? `sha256-${checksum}` : `blob-${randomUUID()}`, size, checksum, ...meta };
    const existing = await this.stat(info.id);
    if (existing) {
      await rm(temp);
      return existing;
    }
    await rename(temp, join(this.dir, info.id));
    await writeFile(join(this.dir, `${info.id}.json`), JSON.stringify(info));
    return info;
  }

  async get(id: string): Promise<Readable> {
    if (!(await this.stat(id))) throw Object.assign(new Error(`blob ${id} not found`), { code: 'E_NOT_FOUND' });
    return createReadStream(join(this.dir, id));
  }

  async stat(id: string): Promise<BlobInfo | null> {
    if (!/^[\w-]+$/.test(id)) return null; // ids are ours; anything else is no file name here
    const json = await readFile(join(this.dir, `${id}.json`), 'utf8').catch(() => null);
    return json ? (JSON.parse(json) as BlobInfo) : null;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.stat(id))) return;
    await rm(join(this.dir, `${id}.json`));
    await rm(join(this.dir, id), { force: true });
  }
}
