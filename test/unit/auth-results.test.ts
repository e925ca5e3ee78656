import { describe, expect, it } from 'vitest';
import { MAX_AUTH_RESULTS_CHARS, parseAuthenticationResults, senderAuthentication } from '../../channels/email/parse/auth-results.parser.ts';
import { dkimAligned, senderAuthenticated, senderForged } from '../../src/core/index.ts';

const lines = (...values: string[]) => values.map((v) => ({ key: 'authentication-results', line: `Authentication-Results: ${v}` }));
const TRUSTED = ['mx.helpdesk.test'];

describe('Authentication-Results parsing', () => {
  it('reads authserv-id, methods, results and properties, ignoring comments and versions', () => {
    const header = parseAuthenticationResults(
      'mx.helpdesk.test 1; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=agent@helpdesk.test;\r\n\t'
      + 'dkim=pass (2048-bit key; secure) header.d=helpdesk.test header.i=@helpdesk.test header.s=sel;'
      + ' dkim/1 = fail header.d="other.example"; dmarc=pass (p=reject (nested) dis=none) header.from=helpdesk.test',
    );
    expect(header?.authservId).toBe('mx.helpdesk.test');
    expect(header?.results.map((r) => [r.method, r.result])).toEqual([['spf', 'pass'], ['dkim', 'pass'], ['dkim', 'fail'], ['dmarc', 'pass']]);
    expect(header?.results[1]?.props.get('header.d')).toBe('helpdesk.test');
    expect(header?.results[2]?.props.get('header.d')).toBe('other.example');
    expect(parseAuthenticationResults('mx.example.org; none')).toEqual({ authservId: 'mx.example.org', results: [] });
    expect(parseAuthenticationResults('')).toBeNull();
  });

  it('believes only headers from a trusted authserv-id, and the topmost one per method', () => {
    const auth = senderAuthentication(lines(
      'mx.helpdesk.test; spf=fail smtp.mailfrom=evil.example; dmarc=fail header.from=helpdesk.test',
      'mx.helpdesk.test; dmarc=pass header.from=helpdesk.test', // forged, below the real one
      'attacker.example; dkim=pass header.d=helpdesk.test',
    ), TRUSTED);
    expect(auth).toEqual({ trusted: true, spf: 'fail', dmarc: 'fail', dkimPassDomains: [] });
    expect(senderAuthentication(lines('attacker.example; dmarc=pass'), TRUSTED)).toEqual({ trusted: false, dkimPassDomains: [] });
    expect(senderAuthentication(lines('mx.helpdesk.test; dmarc=pass'), [])).toMatchObject({ trusted: false });
  });

  it('parses a 100 KB adversarial header in linear time', () => {
    const nasty = ['mx.helpdesk.test; ' + '('.repeat(100_000), 'mx.helpdesk.test; ' + 'a= '.repeat(40_000), 'x'.repeat(100_000), '"'.repeat(100_000), ';'.repeat(100_000)];
    for (const value of nasty) {
      expect(() => senderAuthentication(lines(value), TRUSTED)).not.toThrow();
    }
    expect(parseAuthenticationResults(`mx.helpdesk.test; dkim=pass header.d=${'a'.repeat(MAX_AUTH_RESULTS_CHARS)}`)?.results[0]?.props.get('header.d')?.length)
      .toBeLessThan(MAX_AUTH_RESULTS_CHARS);
  });
});

describe('sender authentication', () => {
  it('passes on a trusted DMARC pass or a DKIM pass aligned with the From domain', () => {
    expect(senderAuthenticated({ trusted: true, dmarc: 'pass', dkimPassDomains: [] }, 'agent@helpdesk.test')).toBe(true);
    expect(senderAuthenticated({ trusted: true, dkimPassDomains: ['helpdesk.test'] }, 'agent@helpdesk.test')).toBe(true);
    expect(senderAuthenticated({ trusted: true, dkimPassDomains: ['mail.helpdesk.test'] }, 'agent@helpdesk.test')).toBe(true);
    expect(senderAuthenticated({ trusted: true, dkimPassDomains: ['evil.example'] }, 'agent@helpdesk.test')).toBe(false);
    expect(senderAuthenticated({ trusted: true, dkimPassDomains: ['test'] }, 'agent@helpdesk.test')).toBe(false);
    expect(senderAuthenticated({ trusted: false, dmarc: 'pass', dkimPassDomains: ['helpdesk.test'] }, 'agent@helpdesk.test')).toBe(false);
    expect(senderAuthenticated(undefined, 'agent@helpdesk.test')).toBe(false);
    expect(dkimAligned('helpdesk.test.evil.example', 'helpdesk.test')).toBe(false);
  });

  it('calls a sender forged only when a trusted verifier says SPF and DMARC both failed', () => {
    expect(senderForged({ trusted: true, spf: 'fail', dmarc: 'fail', dkimPassDomains: [] })).toBe(true);
    expect(senderForged({ trusted: true, spf: 'softfail', dmarc: 'fail', dkimPassDomains: [] })).toBe(true);
    expect(senderForged({ trusted: true, spf: 'pass', dmarc: 'fail', dkimPassDomains: [] })).toBe(false);
    expect(senderForged({ trusted: true, spf: 'fail', dkimPassDomains: [] })).toBe(false);
    expect(senderForged({ trusted: false, spf: 'fail', dmarc: 'fail', dkimPassDomains: [] })).toBe(false);
  });
});
