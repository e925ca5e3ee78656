/**
 * The worker side of parse-pool.ts: parses one mail per message it is sent and answers with the
 * result (attachment contents transferred, not copied) or with the error's code and text.
 */
import { parentPort } from 'node:worker_threads';
import { parseMail, type ParseOptions } from './mail.parser.ts';

export interface ParseRequest {
  id: number;
  raw: Uint8Array;
  options: ParseOptions;
}

const port = parentPort!;

port.on('message', async ({ id, raw, options }: ParseRequest) => {
  try {
    const parsed = await parseMail(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), options);
    // Each content gets an ArrayBuffer of its own: a small Buffer may be a view of Node's shared
    // pool, and transferring that would detach memory other buffers still use.
    const attachments = parsed.attachments.map((a) => ({ ...a, content: new Uint8Array(a.content) }));
    port.postMessage({ id, ok: true, result: { ...parsed, attachments } }, attachments.map((a) => a.content.buffer as ArrayBuffer));
  } catch (err) {
    const { message, code } = err as { message?: string; code?: string };
    port.postMessage({ id, ok: false, error: { message: String(message ?? err), code } });
  }
});

port.postMessage({ ready: true });
