/**
 * Reads one mail from stdin in bounded memory: up to the size limit it is held in memory; past
 * it, what was read and the rest are streamed into the blob store instead (to be quarantined as
 * too large), so a huge input never sits in memory whole. Past a hard ceiling the rest is read
 * and dropped, so the MTA's write still completes.
 */
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from '../core/index.ts';

export type StdinMail =
  | { kind: 'whole'; raw: Buffer }
  | { kind: 'oversized'; size: number; open(blobs: BlobStore): Promise<{ blob: BlobInfo; truncated: boolean }> };

/** How much of an oversized mail is kept for an admin to look at or retry with a higher limit. */
const CEILING_FACTOR = 4;

export async function readStdinMail(input: AsyncIterable<Buffer>, limit: number): Promise<StdinMail> {
  const it = input[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) return { kind: 'whole', raw: Buffer.concat(held) };
    held.push(next.value);
    size += next.value.length;
    if (size > limit) break;
  }
  const ceiling = limit * CEILING_FACTOR;
  let truncated = false;
  let total = size;
  async function* rest(): AsyncGenerator<Buffer> {
    while (held.length) yield held.shift()!;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      const kept = Math.max(0, Math.min(next.value.length, ceiling - total));
      total += next.value.length;
      if (kept < next.value.length) truncated = true;
      if (kept) yield next.value.subarray(0, kept);
    }
  }
  return {
    kind: 'oversized',
    get size() {
      return total;
    },
    async open(blobs) {
      const blob = await blobs.put(Readable.from(rest()), { filename: 'message.eml', contentType: 'message/rfc822' });
      return { blob, truncated };
    },
  };
}
