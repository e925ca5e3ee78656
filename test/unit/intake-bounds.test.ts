/** The pure parts of bounded intake: body previews, participant caps, and reading stdin in bounded memory. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BlobInfo, BlobStore } from '../../src/core/index.ts';
import { utf8Prefix } from '../../src/core/message-body.ts';
import { capParticipants } from '../../src/core/participant-cap.ts';
import { readStdinMail } from '../../src/cli/stdin.reader.ts';

describe('utf8Prefix', () => {
  it('keeps short text whole and never cuts a character in half', () => {
    expect(utf8Prefix('hello', 10)).toBe('hello');
    const text = 'é'.repeat(10); // 2 bytes each
    expect(utf8Prefix(text, 5)).toBe('éé');
    expect(Buffer.byteLength(utf8Prefix('😀'.repeat(100), 9))).toBe(8);
  });
});

describe('capParticipants', () => {
  const cc = (n: number) => Array.from({ length: n }, (_, i) => ({ address: `p${i}@example.org` }));
  const own = new Set(['support@helpdesk.test']);

  it('keeps the sender plus Cc within the per-mail cap and counts the rest', () => {
    const r = capParticipants(cc(1000), own, { inMail: true, newToTicket: false }, 1, { perMail: 50, perTicket: 200 });
    expect(r.keep).toHaveLength(49);
    expect(r.dropped).toBe(951);
    expect(r.droppedSample).toHaveLength(20);
  });

  it('respects the per-ticket cap, skips our own addresses and duplicates', () => {
    const list = [...cc(10), { address: 'SUPPORT@helpdesk.test' }, { address: 'P1@example.org' }];
    const r = capParticipants(list, own, { inMail: true, newToTicket: true }, 195, { perMail: 50, perTicket: 200 });
    expect(r.keep.map((a) => a.address)).toEqual(['p0@example.org', 'p1@example.org', 'p2@example.org', 'p3@example.org']);
    expect(r.dropped).toBe(6);
  });
});

describe('readStdinMail', () => {
  const memoryBlobs = (): BlobStore & { stored: Buffer[] } => {
    const stored: Buffer[] = [];
    return {
      stored,
      async put(data) {
        const chunks: Buffer[] = [];
        for await (const c of data as Readable) chunks.push(c as Buffer);
        const all = Buffer.concat(chunks);
        stored.push(all);
        return { id: 'b1', size: all.length, checksum: 'x', filename: 'message.eml', contentType: 'message/rfc822' } satisfies BlobInfo;
      },
      get: async () => Readable.from([]),
      stat: async () => null,
      delete: async () => {},
    };
  };

  it('returns a mail under the limit whole', async () => {
    const input = await readStdinMail(Readable.from([Buffer.from('Subject: a\r\n\r\nhi')]), 1024);
    expect(input).toMatchObject({ kind: 'whole' });
  });

  it('streams a mail over the limit into the blob store, keeping up to four times the limit', async () => {
    const chunk = Buffer.alloc(1000, 97);
    const input = await readStdinMail(Readable.from(Array.from({ length: 10 }, () => chunk)), 1500);
    expect(input.kind).toBe('oversized');
    if (input.kind !== 'oversized') return;
    const blobs = memoryBlobs();
    const { blob, truncated } = await input.open(blobs);
    expect(truncated).toBe(true);
    expect(blob.size).toBe(6000);
    expect(input.size).toBe(10_000); // everything was read, so the MTA's write completed
  });
});
