/**
 * BlobStore on GridFS (the driver's GridFSBucket). Proven byte-for-byte on FerretDB 1.24 by
 * test/integration/blob-store.test.ts. Buffers get a content-derived id (`sha256-<hex>`), so
 * storing the same attachment twice stores it once. Such a put never deletes anything: every chunk
 * is an upsert keyed by (files_id, n) whose content is fixed by the id, and the files document,
 * written last, makes the blob visible. Two racing puts of the same content write the same bytes,
 * and a put after a crash mid-upload simply completes the chunks that are there.
 * A buffer that fits in one chunk (most raw mails and bodies) is stored inline in its files
 * document instead: one upsert by `_id`, no chunk, no lookup first (the content fixes the id, so
 * a repeat or a racing put changes nothing). Reads take the inline bytes when a document has them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import mongoose from 'mongoose';
import type { BlobInfo, BlobStore } from '../../core/index.ts';

/** GridFS's default chunk size: what openDownloadStream expects from the files document. */
const CHUNK_BYTES = 255 * 1024;
/** Chunks per insertMany: about 4 MB, well under the 48 MB message limit. */
const CHUNKS_PER_BATCH = 16;

/** Two racing upserts of the same key: one inserts, the other may get E11000. Same content either way. */
async function ignoreDuplicate(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}

interface FileDoc {
  _id: string; length: number; filename: string; chunkSize?: number; uploadDate?: Date;
  metadata?: { checksum?: string; contentType?: string };
  /** The content itself, for a blob small enough to need no chunks. */
  data?: mongoose.mongo.Binary;
}

function infoOf(doc: FileDoc): BlobInfo {
  return {
    id: doc._id, size: doc.length, filename: doc.filename,
    checksum: doc.metadata?.checksum ?? '', contentType: doc.metadata?.contentType ?? 'application/octet-stream',
  };
}

export class GridFsBlobStore implements BlobStore {
  private readonly bucket: mongoose.mongo.GridFSBucket;
  private readonly files: mongoose.mongo.Collection<FileDoc>;
  private readonly chunks: mongoose.mongo.Collection;

  constructor(db: mongoose.mongo.Db, bucketName = 'blobs') {
    this.bucket = new mongoose.mongo.GridFSBucket(db, { bucketName });
    this.files = db.collection<FileDoc>(`${bucketName}.files`);
    this.chunks = db.collection(`${bucketName}.chunks`);
  }

  async put(data: Buffer | Readable, meta: { filename: string; contentType: string }): Promise<BlobInfo> {
    if (Buffer.isBuffer(data)) {
      const checksum = createHash('sha256').update(data).digest('hex');
      const id = `sha256-${checksum}`;
      if (data.length <= CHUNK_BYTES) {
        await ignoreDuplicate(this.files.updateOne({ _id: id }, {
          $setOnInsert: {
            length: data.length, chunkSize: CHUNK_BYTES, uploadDate: new Date(), filename: meta.filename,
            metadata: { contentType: meta.contentType, checksum }, data: new mongoose.mongo.Binary(data),
          },
        }, { upsert: true }));
        return { id, size: data.length, checksum, ...meta };
      }
      const existing = await this.stat(id);
      if (existing) return existing;
      await this.chunkIndex();
      await this.upsertChunks(id, data);
      await ignoreDuplicate(this.files.updateOne({ _id: id }, {
        $setOnInsert: {
          length: data.length, chunkSize: CHUNK_BYTES, uploadDate: new Date(), filename: meta.filename,
          metadata: { contentType: meta.contentType, checksum },
        },
      }, { upsert: true }));
      return { id, size: data.length, checksum, ...meta };
    }
    // Streams are not buffered: hash while uploading, under a fresh id.
    const hash = createHash('sha256');
    let size = 0;
    const counted = data.map((chunk: Buffer) => { hash.update(chunk); size += chunk.length; return chunk; });
    const id = `blob-${randomUUID()}`;
    await this.upload(id, counted, meta, undefined);
    const checksum = hash.digest('hex');
    await this.files.updateOne({ _id: id }, { $set: { 'metadata.checksum': checksum } });
    return { id, size, checksum, ...meta };
  }

  /**
   * The content, or an error: a blob whose first chunk is gone throws before anything is read
   * (E_CORRUPT), and a stream that ends short of the recorded length errors instead of ending,
   * because the driver ends quietly when trailing chunks are missing.
   */
  async get(id: string): Promise<Readable> {
    const doc = await this.files.findOne({ _id: id });
    if (!doc) throw Object.assign(new Error(`blob ${id} not found`), { code: 'E_NOT_FOUND' });
    if (doc.data) return Readable.from([Buffer.from(doc.data.buffer)]);
    const info = infoOf(doc);
    if (info.size > 0 && !(await this.chunks.findOne({ files_id: id, n: 0 }, { projection: { _id: 1 } }))) {
      throw Object.assign(new Error(`blob ${id} has lost its content`), { code: 'E_CORRUPT' });
    }
    let read = 0;
    const checked = new Transform({
      transform(chunk: Buffer, _enc, done) { read += chunk.length; done(null, chunk); },
      flush(done) { done(read === info.size ? null : Object.assign(new Error(`blob ${id} ended at ${read} of ${info.size} bytes`), { code: 'E_CORRUPT' })); },
    });
    pipeline(this.bucket.openDownloadStream(id as never), checked, () => { /* errors surface on `checked` */ });
    return checked;
  }

  async stat(id: string): Promise<BlobInfo | null> {
    const doc = await this.files.findOne({ _id: id }, { projection: { data: 0 } });
    return doc ? infoOf(doc) : null;
  }

  async delete(id: string): Promise<void> {
    try {
      await this.bucket.delete(id as never);
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
  }

  private indexed: Promise<unknown> | undefined;

  /** The unique (files_id, n) index GridFS itself creates on its first upload; racing upserts rely on it. */
  private chunkIndex(): Promise<unknown> {
    this.indexed ??= this.chunks.createIndex({ files_id: 1, n: 1 }, { unique: true }).catch((err: unknown) => {
      this.indexed = undefined;
      throw err;
    });
    return this.indexed;
  }

  /**
   * Inserts the chunks in batches; a chunk that is already there (a racing put, a torn earlier
   * upload) is a duplicate-key error on (files_id, n) and holds the same bytes, so it is skipped.
   */
  private async upsertChunks(id: string, data: Buffer): Promise<void> {
    const count = Math.ceil(data.length / CHUNK_BYTES);
    for (let first = 0; first < count; first += CHUNKS_PER_BATCH) {
      const batch = [];
      for (let n = first; n < Math.min(count, first + CHUNKS_PER_BATCH); n++) {
        batch.push({ files_id: id, n, data: new mongoose.mongo.Binary(data.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES)) });
      }
      try {
        await this.chunks.insertMany(batch, { ordered: false });
      } catch (err) {
        const errors = (err as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
        const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
        if (!list.length || list.some((e) => e.code !== 11000)) throw err;
      }
    }
  }

  private async upload(id: string, source: Readable, meta: { filename: string; contentType: string }, checksum: string | undefined) {
    const upload = this.bucket.openUploadStreamWithId(id as never, meta.filename, {
      metadata: { contentType: meta.contentType, ...(checksum ? { checksum } : {}) },
    });
    await pipelineAsync(source, upload);
  }
}
