/**
 * Mail is parsed in worker threads with a time budget (parse-pool.ts): the main thread's event
 * loop keeps turning while a heavy mail parses, a mail over budget is rejected as PARSE_TIMEOUT
 * and its worker replaced, and errors keep their codes across the thread boundary.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseMail, type ParseOptions } from '../../channels/email/parse/mail.parser.ts';
import { closeParseWorkers, parseInWorker } from '../../channels/email/parse/parse-pool.ts';
import { ErrorCodes } from '../../src/core/index.ts';
import { buildMail } from '../support/mail-builder.ts';

const OPTIONS: ParseOptions = { supportAddress: 'support@helpdesk.test', limits: { maxAttachmentBytes: 1e6, maxAttachments: 5 } };
/** HTML-only mail whose text conversion keeps a parser busy for a second or more. */
const heavyMail = () => buildMail({ messageId: '<heavy@example.org>', text: undefined, html: '<p>Hello <b>world</b>, more words here</p>\n'.repeat(12_000) });

/** The longest stretch in which a 10 ms timer on this thread could not run while `work` was pending. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

afterAll(() => closeParseWorkers());

describe('parsing in worker threads', () => {
  it('parses a mail and its attachments as this thread would', async () => {
    const raw = await buildMail({
      messageId: '<att@example.org>', subject: 'Invoice [#12]',
      attachments: [{ filename: 'invoice.pdf', content: Buffer.from('%PDF-1.4 hello'), contentType: 'application/pdf' }],
    });
    const parsed = await parseInWorker(raw, OPTIONS, 20_000);
    expect(parsed.message).toEqual((await parseMail(raw, OPTIONS)).message);
    expect(parsed.message.threadHints.subjectTag).toBe(12);
    expect(parsed.attachments).toHaveLength(1);
    expect(Buffer.from(parsed.attachments[0]!.content).toString()).toBe('%PDF-1.4 hello');
  });

  it('keeps the event loop turning while a heavy mail parses (on this thread it would stall)', async () => {
    const raw = await heavyMail();
    await parseInWorker(raw, OPTIONS, 60_000); // the workers are up
    let inWorker: Awaited<ReturnType<typeof parseInWorker>> | undefined;
    const workerStall = await longestStall(async () => { inWorker = await parseInWorker(raw, OPTIONS, 60_000); });
    const ownStall = await longestStall(() => parseMail(raw, OPTIONS));
    expect(inWorker!.message.text).toContain('Hello world, more words here');
    expect(ownStall).toBeGreaterThan(200);
    expect(workerStall).toBeLessThan(ownStall / 2);
  });

  it('rejects a mail over its budget as parse-timeout, and the next mail still parses', async () => {
    const err = await parseInWorker(await heavyMail(), OPTIONS, 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.PARSE_TIMEOUT, message: expect.stringContaining('parse-timeout') });
    const next = await parseInWorker(await buildMail({ messageId: '<next@example.org>' }), OPTIONS, 20_000);
    expect(next.message.messageId).toBe('next@example.org');
  });

  it('parses several mails at once, each to its own result', async () => {
    const mails = await Promise.all([1, 2, 3, 4, 5].map((i) => buildMail({ messageId: `<m${i}@example.org>`, subject: `Mail ${i}` })));
    const parsed = await Promise.all(mails.map((raw) => parseInWorker(raw, OPTIONS, 20_000)));
    expect(parsed.map((p) => p.message.subject)).toEqual(['Mail 1', 'Mail 2', 'Mail 3', 'Mail 4', 'Mail 5']);
  });

  it('keeps the code of a rejection across the thread boundary', async () => {
    const raw = await buildMail({ attachments: Array.from({ length: 6 }, (_, i) => ({ filename: `f${i}.txt`, content: 'x' })) });
    await expect(parseInWorker(raw, OPTIONS, 20_000)).rejects.toMatchObject({ name: 'HelpdeskError', code: ErrorCodes.TOO_LARGE });
    await expect(parseInWorker(Buffer.from('not a mail at all'), OPTIONS, 20_000)).rejects.toMatchObject({ code: ErrorCodes.MALFORMED });
  });
});
