/**
 * The .eml corpus in test/fixtures/mail is the specification of the email parser: every fixture
 * goes through normalizeMail (storing into GridFS on the test database) and must come out exactly
 * as test/fixtures/mail/expectations.json says. A fixture without an expectation fails.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { displayHtml } from '../../channels/email/body/html-display.ts';
import { normalizeMail, type NormalizeContext } from '../../channels/email/parse/mail.normalizer.ts';
import { verifyReplyToken, type InboundMessage } from '../../src/core/index.ts';
import { GridFsBlobStore } from '../../src/infra/mongo/gridfs.blob-store.ts';
import { openTestDb } from '../support/database.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/mail/', import.meta.url));
const SUPPORT = 'support@helpdesk.test';
/** The keys the fixtures' reply tokens were signed with (the test config's secret, key id 1). */
const TOKEN_KEYS = { keys: [{ id: '1', secret: 'test-secret-0123456789abcdef' }] };
const attachmentUrl = (blobId: string) => `https://helpdesk.test/api/v1/attachments/${blobId}`;

const strings = z.array(z.string()).min(1);
const Expectation = z.union([
  z.strictObject({ description: z.string(), rejected: z.enum(['E_TOO_LARGE', 'E_MALFORMED']) }),
  z.strictObject({
    description: z.string(),
    classification: z.enum(['human', 'auto-reply', 'bounce', 'bulk']),
    reasonIncludes: z.string().optional(),
    subject: z.string(),
    from: z.string().nullable(),
    fromName: z.string().optional(),
    messageId: z.string().nullable(),
    cc: z.array(z.string()).optional(),
    localeHint: z.enum(['en', 'id']).optional(),
    visibleText: z.string().optional(),
    visibleTextIncludes: strings.optional(),
    visibleTextExcludes: strings.optional(),
    textIncludes: strings.optional(),
    htmlIncludes: strings.optional(),
    threadHints: z.strictObject({
      replyTokens: z.array(z.string()), inReplyTo: z.string().optional(), references: z.array(z.string()), subjectTag: z.number().optional(),
    }).optional(),
    tokenTicket: z.number().optional(),
    attachments: z.array(z.strictObject({
      filename: z.string(), contentType: z.string(), inline: z.boolean(), contentId: z.string().optional(),
    })).optional(),
    displayIncludes: strings.optional(),
    displayExcludes: strings.optional(),
    bounce: z.strictObject({ originalMessageId: z.string(), action: z.string().optional() }).optional(),
  }).refine((e) => e.visibleText !== undefined || e.visibleTextIncludes, 'needs visibleText or visibleTextIncludes')
    .refine((e) => !e.threadHints?.replyTokens.length || e.tokenTicket !== undefined, 'reply tokens need the tokenTicket they verify to'),
]);
type Accepted = Exclude<z.infer<typeof Expectation>, { rejected: string }>;

const expectations = z.object({ fixtures: z.record(z.string(), Expectation) })
  .parse(JSON.parse(readFileSync(`${FIXTURES}expectations.json`, 'utf8'))).fixtures;
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).sort();

/** Patterns no displayed HTML may contain, whatever the mail held. */
const NEVER_DISPLAYED = [/<script/i, /\son[a-z]+\s*=/i, /javascript:/i, /<iframe/i, /<style/i, /\ssrc="(?!https:\/\/)/i];

function assertBody(m: InboundMessage, e: Accepted): void {
  if (e.visibleText !== undefined) expect(m.visibleText).toBe(e.visibleText);
  for (const part of e.visibleTextIncludes ?? []) expect(m.visibleText).toContain(part);
  for (const part of e.visibleTextExcludes ?? []) expect(m.visibleText).not.toContain(part);
  for (const part of e.textIncludes ?? []) expect(m.text).toContain(part);
  for (const part of e.htmlIncludes ?? []) expect(m.html).toContain(part);
  // Every fixture is decodable: a replacement character means a charset was read wrongly.
  for (const value of [m.subject, m.text, m.visibleText, m.html ?? '', m.from.name ?? '']) expect(value).not.toContain('\uFFFD');
}

function assertDisplay(m: InboundMessage, e: Accepted): void {
  const shown = displayHtml(m.html ?? '', m.attachments, attachmentUrl);
  for (const pattern of NEVER_DISPLAYED) expect(shown).not.toMatch(pattern);
  const withUrls = (s: string) => s.replace(/\{attachment:([^}]+)\}/g, (_, name: string) => attachmentUrl(m.attachments.find((a) => a.filename === name)!.blobId));
  for (const part of e.displayIncludes ?? []) expect(shown).toContain(withUrls(part));
  for (const part of e.displayExcludes ?? []) expect(shown).not.toContain(part);
}

describe('mail fixture corpus', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let ctx: NormalizeContext;
  beforeAll(async () => {
    db = await openTestDb('mail_fixtures');
    ctx = { blobs: new GridFsBlobStore(db.conn.db!), supportAddress: SUPPORT, limits: { maxMessageBytes: 25e6, maxAttachmentBytes: 20e6, maxAttachments: 50 } };
  });
  afterAll(() => db?.drop());

  it('has at least 45 fixtures, each with an expectation, and no expectation without its fixture', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(45);
    expect(fixtures.filter((f) => !expectations[f])).toEqual([]);
    expect(Object.keys(expectations).filter((f) => !fixtures.includes(f))).toEqual([]);
  });

  it.each(fixtures)('%s', async (name) => {
    const e = expectations[name];
    expect(e, `${name} has no entry in expectations.json`).toBeDefined();
    const raw = readFileSync(FIXTURES + name);
    if ('rejected' in e!) {
      await expect(normalizeMail(raw, ctx)).rejects.toMatchObject({ name: 'HelpdeskError', code: e.rejected });
      return;
    }
    const m = await normalizeMail(raw, ctx);
    expect(m.classification).toBe(e!.classification);
    if (e!.reasonIncludes) expect(m.classificationReason).toContain(e!.reasonIncludes);
    expect(m.subject).toBe(e!.subject);
    expect(m.from.address ?? null).toBe(e!.from);
    if (e!.fromName) expect(m.from.name).toBe(e!.fromName);
    expect(m.messageId ?? null).toBe(e!.messageId);
    expect(m.externalId).toBe(e!.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`);
    expect(m.cc.map((a) => a.address)).toEqual(e!.cc ?? []);
    expect(m.localeHint).toBe(e!.localeHint);
    assertBody(m, e!);

    expect(m.threadHints).toEqual({ replyTokens: [], references: [], ...e!.threadHints });
    for (const token of m.threadHints.replyTokens) expect(verifyReplyToken(TOKEN_KEYS, token)).toBe(e!.tokenTicket);

    const attachments = m.attachments.map(({ filename, contentType, inline, contentId }) => ({ filename, contentType, inline, ...(contentId ? { contentId } : {}) }));
    expect(attachments).toEqual(e!.attachments ?? []);
    for (const a of m.attachments) expect((await ctx.blobs.stat(a.blobId))?.size).toBe(a.size);
    expect(await buffer(await ctx.blobs.get(m.rawBlobId!))).toEqual(raw);

    assertDisplay(m, e!);
  });

  // The original Message-ID a report embeds is read by dsn.parser.ts, from the same parse.
  const reports = fixtures.filter((f) => { const e = expectations[f]; return e && !('rejected' in e) && e.bounce; });
  it.each(reports)('%s names the message it reports on', async (name) => {
    const report = (expectations[name] as Accepted).bounce!;
    const dsn = (await normalizeMail(readFileSync(FIXTURES + name), ctx)).bounce!;
    expect(dsn.originalMessageIds).toContain(report.originalMessageId);
    if (report.action) expect(dsn.recipients.map((r) => r.action)).toContain(report.action);
  });
});
