/**
 * Reads a submission's body: JSON, URL-encoded, or multipart/form-data streamed through busboy.
 * Files go to temporary files (never into memory whole, never into the blob store yet): only a
 * submission that passes every check has its files stored, and `discard` removes them otherwise.
 * Limits: file count and size (413), declared and sniffed type (415), field count and size (413).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { contentMatchesType } from './file-type.ts';
import { WebformRejection } from './webform.errors.ts';

export interface UploadedFile {
  path: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface SubmissionBody {
  fields: Record<string, unknown>;
  files: UploadedFile[];
  /** Removes the temporary files (always call it, whatever became of the submission). */
  discard(): Promise<void>;
}

export interface BodyLimits {
  maxFiles: number;
  maxFileBytes: number;
  allowedTypes: readonly string[];
}

const MAX_FIELDS = 60;
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_JSON_BYTES = 128 * 1024;

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;

async function readSmall(req: Request): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) throw new WebformRejection(413, 'too_large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new WebformRejection(400, 'malformed');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new WebformRejection(400, 'malformed');
  return value as Record<string, unknown>;
}

export async function readSubmissionBody(req: Request, limits: BodyLimits): Promise<SubmissionBody> {
  const type = (req.headers['content-type'] ?? '').slice(0, 200).toLowerCase();
  const none = async () => {};
  if (type.startsWith('application/json')) return { fields: parseJson(await readSmall(req)), files: [], discard: none };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { fields: Object.fromEntries(new URLSearchParams(await readSmall(req))), files: [], discard: none };
  }
  if (type.startsWith('multipart/form-data')) return readMultipart(req, limits);
  throw new WebformRejection(415, 'unsupported_media_type');
}

async function readMultipart(req: Request, limits: BodyLimits): Promise<SubmissionBody> {
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-form-'));
  const discard = () => rm(dir, { recursive: true, force: true });
  const fields: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  const writes: Promise<void>[] = [];
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + limits.maxFiles + 1 },
    });
  } catch {
    await discard();
    throw new WebformRejection(400, 'malformed');
  }
  const types = limits.allowedTypes.join(', ');
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: WebformRejection) => {
        req.unpipe(bb);
        req.resume(); // drain the rest so the answer reaches the client
        reject(err);
      };
      bb.on('field', (name, value, info) => {
        if (info.valueTruncated) return fail(new WebformRejection(413, 'too_large'));
        if (name === 'attachments') return; // an empty file input sends its name as a field
        fields[name] = value;
      });
      bb.on('file', (_name, stream, info) => {
        const filename = (info.filename ?? '').slice(0, 255);
        if (!filename) { stream.resume(); return; } // an empty file input
        const contentType = (info.mimeType ?? '').toLowerCase();
        if (!limits.allowedTypes.includes(contentType)) {
          stream.resume();
          return fail(new WebformRejection(415, 'unsupported_file_type', { types }));
        }
        const path = join(dir, String(files.length));
        const file: UploadedFile = { path, filename, contentType, size: 0 };
        files.push(file);
        stream.on('data', (chunk: Buffer) => { file.size += chunk.length; });
        stream.on('limit', () => fail(new WebformRejection(413, 'file_too_large', { maxMb: mb(limits.maxFileBytes) })));
        writes.push(pipeline(stream, createWriteStream(path)));
      });
      bb.on('filesLimit', () => fail(new WebformRejection(413, 'too_many_files', { maxFiles: limits.maxFiles })));
      bb.on('fieldsLimit', () => fail(new WebformRejection(413, 'too_large')));
      bb.on('partsLimit', () => fail(new WebformRejection(413, 'too_large')));
      bb.on('error', () => reject(new WebformRejection(400, 'malformed')));
      bb.on('close', () => resolve());
      req.pipe(bb);
    });
    await Promise.all(writes);
    for (const file of files) {
      const handle = await open(file.path, 'r');
      const head = Buffer.alloc(16);
      try { await handle.read(head, 0, 16, 0); } finally { await handle.close(); }
      if (!contentMatchesType(file.contentType, head)) throw new WebformRejection(415, 'unsupported_file_type', { types });
    }
    return { fields, files, discard };
  } catch (err) {
    await Promise.all(writes.map((w) => w.catch(() => {})));
    await discard();
    throw err instanceof WebformRejection ? err : new WebformRejection(400, 'malformed');
  }
}
