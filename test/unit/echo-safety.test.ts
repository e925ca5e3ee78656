import { describe, expect, it } from 'vitest';
import { capEchoedSubject, safeDisplayName } from '../../src/core/mail/echo-safety.ts';

describe('what an acknowledgement may echo', () => {
  it('caps the subject at 120 characters with an ellipsis', () => {
    expect(capEchoedSubject('Printer on fire')).toBe('Printer on fire');
    const long = capEchoedSubject('Win a prize at evil.example now '.repeat(20));
    expect(Array.from(long)).toHaveLength(120);
    expect(long.endsWith('…')).toBe(true);
    expect(Array.from(capEchoedSubject('😀'.repeat(300)))).toHaveLength(120); // never splits a character
    expect(capEchoedSubject('x'.repeat(120))).toBe('x'.repeat(120));
  });

  it('keeps ordinary names and drops names holding a URL, a domain or an address', () => {
    for (const name of ['Ann Example', 'J. Smith', 'Zoë Müller-Lüdenscheidt', 'Budi Santoso', '山田 太郎']) {
      expect(safeDisplayName(name)).toBe(name);
    }
    for (const name of ['Visit https://evil.example', 'evil.example', 'www.win', 'boss@company.example', 'Claim at bit.ly/x',
      'Prize <b>now</b>', 'a'.repeat(65), '', undefined, 'bad\u0007bell']) {
      expect(safeDisplayName(name)).toBeUndefined();
    }
  });

  it('judges a 100 KB adversarial name quickly', () => {
    expect(safeDisplayName('a.'.repeat(50_000))).toBeUndefined();
    expect(capEchoedSubject('.'.repeat(100_000))).toHaveLength(120);
  });
});
