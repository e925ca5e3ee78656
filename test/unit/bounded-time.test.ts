/**
 * Every pattern that reads text from a stranger's mail, fed 100 KB built to make a backtracking
 * pattern slow (issue 6). Each call must give the right answer; the one-second bound only guards
 * against a relapse into catastrophic backtracking (the old patterns took 3 s to 30 min here).
 */
import { describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { storageFilename } from '../../channels/email/parse/attachment-filename.ts';
import { metaCharset } from '../../channels/email/parse/charset.ts';
import { parseDeliveryReport } from '../../channels/email/parse/dsn.parser.ts';
import { isForwardMarker } from '../../channels/email/body/forward-marker.ts';
import { displayHtml } from '../../channels/email/body/html-display.ts';
import { classifyMail } from '../../channels/email/classify/mail.classifier.ts';
import { addressesIn, headerValue, messageIdsIn, type HeaderLines } from '../../channels/email/parse/mail-headers.ts';
import { visibleReplyText } from '../../channels/email/body/reply-text.ts';
import { capReferences } from '../../src/core/index.ts';
import { untagged } from '../../src/core/mail/subject-tag.ts';

const KB100 = 100 * 1024;
const headers = (...lines: string[]): HeaderLines => lines.map((line) => ({ key: line.slice(0, line.indexOf(':')).toLowerCase(), line }));

/** Runs `fn` and returns its result, failing when it takes a second or more. */
function quickly<T>(fn: () => T): T {
  const started = performance.now();
  const result = fn();
  expect(performance.now() - started).toBeLessThan(1000);
  return result;
}

describe('addresses are parsed, not matched', () => {
  it('reads no address from 160 KB of From header without an @', () => {
    expect(quickly(() => addressesIn('x'.repeat(160 * 1024)))).toEqual([]);
  });

  it('reads the addresses of an ordinary header, names and groups included', () => {
    expect(addressesIn('"Ann, Sales" <Ann@Example.org>, bob@example.net, team: c@example.com;')).toEqual(['ann@example.org', 'bob@example.net', 'c@example.com']);
  });

  it('classifies a mail with a 160 KB From header without an @ by its other headers', () => {
    const result = quickly(() => classifyMail(headers(`From: ${'x'.repeat(160 * 1024)}`, 'Auto-Submitted: auto-replied'), 'Hi'));
    expect(result.classification).toBe('auto-reply');
  });

  it('caps a header value at 16 KiB after unfolding', () => {
    const value = headerValue(headers(`Subject: ${'word\r\n '.repeat(KB100 / 4)}`), 'subject')!;
    expect(value.length).toBe(16 * 1024);
    expect(value.startsWith('word word word')).toBe(true);
  });

  it.each([['<', '<'.repeat(KB100)], ['unclosed', `<${'a'.repeat(KB100)}`], ['spaces', ' '.repeat(KB100)]])('finds no Message-ID in 100 KB of %s', (_what, value) => {
    expect(quickly(() => messageIdsIn(value))).toEqual([]);
  });
});

describe('forward markers', () => {
  it.each([
    ['a 40 KB line of dashes', '-'.repeat(40 * 1024)],
    ['dashes, a word, dashes and a letter at the end', `-------- a${'-'.repeat(KB100)}x`],
    ['dashes around 100 KB of words', `--------${' a'.repeat(KB100 / 2)}--------`],
  ])('%s is no marker', (_what, line) => {
    expect(quickly(() => isForwardMarker(line))).toBe(false);
  });

  it('still knows the real markers', () => {
    expect(isForwardMarker('---------- Forwarded message ---------')).toBe(true);
    expect(isForwardMarker('  -------- Weitergeleitete Nachricht --------  ')).toBe(true);
    expect(isForwardMarker('Begin forwarded message:')).toBe(true);
  });

  it('keeps the reply whole when its body has a 40 KB line of dashes', () => {
    const text = `Hello,\nthe printer is on fire.\n${'-'.repeat(40 * 1024)}\nAnn`;
    expect(quickly(() => visibleReplyText(text))).toContain('the printer is on fire.');
  });

  it('reads a reply whose lines are 100 KB of From:/Sent: look-alikes', () => {
    const text = `Thanks!\nFrom:${' '.repeat(KB100)}\nSent${' '.repeat(KB100)}x\n`;
    expect(quickly(() => visibleReplyText(text))).toContain('Thanks!');
  });
});

describe('Auto-Submitted comments', () => {
  it('reads the keyword after 100 KB of unclosed comments', () => {
    const result = quickly(() => classifyMail(headers(`Auto-Submitted: auto-replied ${'('.repeat(KB100)}`), 'Hi'));
    expect(result.classification).toBe('auto-reply');
  });

  it('strips nested comments around "no"', () => {
    expect(classifyMail(headers('Auto-Submitted: no (a person (really))'), 'Hi').classification).toBe('human');
  });
});

describe('subject tags', () => {
  it.each([
    ['100 KB of spaces around tags', `[#1]  Printer [#2]${' '.repeat(KB100)}[#3]${' '.repeat(KB100)}`, 'Printer'],
    ['100 KB of spaces only', ' '.repeat(KB100), '(no subject)'],
    ['an unclosed tag of 100 KB digits', `[#${'1'.repeat(KB100)}`, `[#${'1'.repeat(2 * 1024 - 2)}`],
  ])('%s', (_what, subject, expected) => {
    expect(quickly(() => untagged(subject))).toBe(expected);
  });

  it('removes tags and keeps the words', () => {
    expect(untagged('Re: [#12] Printer  on fire [#13]')).toBe('Re: Printer  on fire');
  });
});

describe('delivery reports', () => {
  const report = (text: string) => ({ text, attachments: [], headerLines: [] }) as unknown as ParsedMail;

  it('finds the quoted Message-ID after 100 KB of blank lines', () => {
    const text = `${'\n \n'.repeat(KB100 / 3)}Message-ID: <orig@example.org>\n`;
    expect(quickly(() => parseDeliveryReport(report(text), 'support@helpdesk.test').originalMessageIds)).toEqual([]);
    // Past the scanned head there is nothing to find; within it, it is found:
    expect(parseDeliveryReport(report(`${'\n \n'.repeat(1000)}Message-ID: <orig@example.org>\n`), 'support@helpdesk.test').originalMessageIds).toEqual(['orig@example.org']);
  });

  it('reads an embedded message with a 100 KB folded Message-ID header', () => {
    const raw = Buffer.from(`Content-Type: message/rfc822\n\nFrom: a@b\nMessage-ID:\n${' x\n'.repeat(KB100 / 3)}`, 'latin1');
    expect(quickly(() => parseDeliveryReport(report(''), 'support@helpdesk.test', raw).originalMessageIds)).toEqual([]);
  });
});

describe('attachment names', () => {
  it('trims 100 KB of trailing dots and spaces from a name', () => {
    expect(quickly(() => storageFilename(`report${' .'.repeat(KB100 / 2)}x`, 0))).toMatch(/^report[ .]+x$/);
    expect(quickly(() => storageFilename(`report.pdf${' .'.repeat(KB100 / 2)}`, 0))).toBe('report.pdf');
  });
});

describe('HTML charset sniffing', () => {
  it('finds no charset in a head of unclosed <meta tags, and the one in a closed tag after them', () => {
    expect(quickly(() => metaCharset(Buffer.from('<meta charset=koi8-r '.repeat(KB100 / 21))))).toBeUndefined();
    expect(metaCharset(Buffer.from(`${'<meta '.repeat(100)}<meta charset="koi8-r">`))).toBe('koi8-r');
  });
});

describe('References of outbound mail', () => {
  it('keeps the root and the newest of 80,000 References', () => {
    const refs = Array.from({ length: 80_000 }, (_, i) => `m${i}@example.org`);
    const capped = quickly(() => capReferences([...refs, ...refs]));
    expect(capped).toEqual(['m0@example.org', ...refs.slice(-9)]);
  });
});

describe('inline styles of displayed HTML', () => {
  const show = (html: string) => displayHtml(html, [], (id) => `/a/${id}`);

  it('drops a margin of 200 digits and keeps the text', () => {
    expect(quickly(() => show(`<p style="margin: ${'1'.repeat(200)}x">Hello</p>`))).toBe('<p>Hello</p>');
  });

  it('drops a 100 KB color value', () => {
    expect(quickly(() => show(`<p style="color: rgb(${' '.repeat(KB100)}">Hello</p>`))).toBe('<p>Hello</p>');
    expect(quickly(() => show(`<p style="color: rgb(1${' ,'.repeat(KB100 / 2)}">Hello</p>`))).toBe('<p>Hello</p>');
  });

  it('keeps ordinary margins and colors', () => {
    expect(show('<p style="margin: 0 auto 4px 1.5em;color: rgb(0, 0, 0)">Hi</p>')).toBe('<p style="margin:0 auto 4px 1.5em;color:rgb(0, 0, 0)">Hi</p>');
  });
});
