/** Attachment names as stored: no paths, no control or bidi characters, Unicode letters kept. */
import { describe, expect, it } from 'vitest';
import { storageFilename } from '../../channels/email/parse/attachment-filename.ts';

describe('storageFilename', () => {
  it.each([
    ['invoice.pdf', 'invoice.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\mallory\\report.txt', 'report.txt'],
    ['report\r\n.txt', 'report.txt'],
    ['nul\u0000byte.txt', 'nulbyte.txt'],
    ['invoice\u202efdp.exe', 'invoicefdp.exe'],
    ['.htaccess', 'htaccess'],
    ['notes.txt. . ', 'notes.txt'],
    ['Rechnung März.pdf', 'Rechnung März.pdf'],
    ['Rechnung Ma\u0308rz.pdf', 'Rechnung März.pdf'],
    ['写真 2024-03-05.jpg', '写真 2024-03-05.jpg'],
    ['Счёт №5.xlsx', 'Счёт №5.xlsx'],
  ])('%j -> %j', (name, expected) => {
    expect(storageFilename(name, 0)).toBe(expected);
  });

  it.each([undefined, '', '   ', '..', '/', '\u202e'])('names %j after its position', (name) => {
    expect(storageFilename(name, 2)).toBe('attachment-3');
  });

  it('shortens a long name to 200 UTF-8 bytes, keeping the extension and whole characters', () => {
    const stored = storageFilename(`${'ä'.repeat(300)}.pdf`, 0);
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(200);
    expect(stored).toMatch(/^ä+\.pdf$/);
  });
});
