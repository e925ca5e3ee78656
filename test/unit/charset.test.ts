/** Text parts without a usable charset label: read as a browser would, only where mailparser's UTF-8 reading is wrong. */
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { metaCharset, rereadUnlabeledParts, unlabeledCharset } from '../../channels/email/parse/charset.ts';

const html = (head: string, body: string, charset: string) => Buffer.concat([Buffer.from(`<html><head>${head}</head><body>`), iconv.encode(body, charset), Buffer.from('</body></html>')]);

describe('metaCharset', () => {
  it.each([
    ['<meta charset="windows-1251">', 'windows-1251'],
    ["<meta charset='KOI8-R'>", 'koi8-r'],
    ['<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-2">', 'iso-8859-2'],
    ['<meta content="text/html;charset=Shift_JIS" http-equiv="content-type">', 'shift_jis'],
    ['<meta name="viewport" content="width=device-width">', undefined],
  ])('%s', (tag, expected) => {
    expect(metaCharset(Buffer.from(`<html><head><title>x</title>${tag}</head></html>`))).toBe(expected);
  });

  it('looks past a long <style> block', () => {
    expect(metaCharset(Buffer.from(`<head><style>${'p{margin:0}'.repeat(300)}</style><meta charset="koi8-r"></head>`))).toBe('koi8-r');
  });
});

describe('unlabeledCharset', () => {
  it('keeps the UTF-8 reading of valid UTF-8, whatever a <meta> claims', () => {
    expect(unlabeledCharset(Buffer.from('Grüße'), false)).toBeUndefined();
    expect(unlabeledCharset(html('<meta charset="iso-8859-1">', 'Grüße', 'utf8'), true)).toBeUndefined();
  });

  it('takes the <meta> charset of HTML that is not UTF-8', () => {
    expect(unlabeledCharset(html('<meta charset="windows-1251">', 'Привет', 'win1251'), true)).toBe('windows-1251');
  });

  it('takes a 7-bit <meta> charset even though its bytes are valid UTF-8', () => {
    expect(unlabeledCharset(Buffer.concat([Buffer.from('<meta charset="iso-2022-jp">'), Buffer.from('\x1b$B$3$s\x1b(B', 'latin1')]), true)).toBe('iso-2022-jp');
  });

  it('falls back to windows-1252 for 8-bit text and for a charset it cannot decode', () => {
    expect(unlabeledCharset(iconv.encode('Grüße', 'latin1'), false)).toBe('windows-1252');
    expect(unlabeledCharset(html('<meta charset="x-no-such-charset">', 'Grüße', 'latin1'), true)).toBe('windows-1252');
  });

  it('refuses UTF-7, which would turn +ADw-script+AD4- into <script>', () => {
    expect(unlabeledCharset(Buffer.from('<meta charset="utf-7"><p>+ADw-script+AD4-</p>'), true)).toBeUndefined();
  });
});

describe('rereadUnlabeledParts', () => {
  it('replaces exactly the misread part inside text joined from several parts', () => {
    const latin1 = iconv.encode('Grüße aus Köln\r\n', 'latin1');
    const misread = `first part\n${latin1.toString('utf8').replace(/\r\n/g, '\n')}last part`;
    expect(misread).toContain('\uFFFD');
    expect(rereadUnlabeledParts(misread, [latin1], false)).toBe('first part\nGrüße aus Köln\nlast part');
  });

  it('leaves a body alone when its parts were read right', () => {
    expect(rereadUnlabeledParts('Grüße', [Buffer.from('Grüße')], false)).toBe('Grüße');
  });
});
