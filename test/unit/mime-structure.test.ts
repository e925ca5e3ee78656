/** The pre-parse MIME walk: part and depth caps, and the bytes of text parts without a charset. */
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { scanMimeStructure } from '../../channels/email/parse/mime-structure.ts';
import { buildMail } from '../support/mail-builder.ts';

const LIMITS = { maxParts: 50, maxDepth: 5 };

function nested(depth: number): Buffer {
  let body = 'Content-Type: text/plain\n\nleaf\n';
  for (let i = depth - 1; i >= 1; i -= 1) body = `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n${body}--b${i}--\n`;
  return Buffer.from(`From: a@example.org\nSubject: nested\n${body}`);
}

describe('scanMimeStructure', () => {
  it('counts the parts and depth of a real message', async () => {
    const raw = await buildMail({ html: '<p>Hi</p>', attachments: [{ filename: 'a.txt', content: 'x' }] });
    // multipart/mixed > (multipart/alternative > text/plain, text/html), a.txt
    expect(await scanMimeStructure(raw, LIMITS)).toMatchObject({ parts: 5, depth: 3, unlabeledText: [] });
  });

  it('rejects nesting over the limit as too large', async () => {
    await expect(scanMimeStructure(nested(5), LIMITS)).resolves.toMatchObject({ depth: 5 });
    await expect(scanMimeStructure(nested(6), LIMITS)).rejects.toMatchObject({ code: 'E_TOO_LARGE' });
  });

  it('rejects more parts than the limit as too large', async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `--p\nContent-Type: text/plain\n\n${i}\n`).join('');
    const raw = Buffer.from(`From: a@example.org\nContent-Type: multipart/mixed; boundary="p"\n\n${parts}--p--\n`);
    await expect(scanMimeStructure(raw, LIMITS)).rejects.toMatchObject({ code: 'E_TOO_LARGE', message: 'more than 50 MIME parts' });
  });

  it('keeps the transfer-decoded bytes of body text parts labeled with no charset or US-ASCII, and only those', async () => {
    const latin1 = iconv.encode('Grüße', 'latin1');
    const raw = Buffer.concat([Buffer.from([
      'From: a@example.org', 'Content-Type: multipart/mixed; boundary="p"', '',
      '--p', 'Content-Type: text/plain', 'Content-Transfer-Encoding: quoted-printable', '', 'Gr=FC=DFe',
      '--p', 'Content-Type: text/html', 'Content-Transfer-Encoding: base64', '', latin1.toString('base64'),
      '--p', 'Content-Type: text/plain; charset="us-ascii"', 'Content-Transfer-Encoding: quoted-printable', '', 'Gr=FC=DFe',
      '--p', 'Content-Type: text/plain; charset=utf-8', '', 'declared',
      '--p', 'Content-Type: text/plain', 'Content-Disposition: attachment; filename="a.txt"', '', 'attached',
      '--p--', ''].join('\r\n'))]);
    const { unlabeledText } = await scanMimeStructure(raw, LIMITS);
    expect(unlabeledText).toEqual([{ html: false, bytes: latin1 }, { html: true, bytes: latin1 }, { html: false, bytes: latin1 }]);
  });

  it('treats a message without Content-Type as text/plain (RFC 2045)', async () => {
    const { unlabeledText } = await scanMimeStructure(Buffer.concat([Buffer.from('From: a@example.org\nSubject: x\n\n'), iconv.encode('Köln', 'latin1')]), LIMITS);
    expect(unlabeledText).toEqual([{ html: false, bytes: iconv.encode('Köln', 'latin1') }]);
  });
});
