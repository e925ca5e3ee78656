import { describe, expect, it } from 'vitest';
import { signAgentToken, signReplyToken, signVerpToken, tokensInAddresses, verifyAgentToken, verifyReplyToken, verifyVerpToken } from '../../src/core/index.ts';

const keys = { keys: [{ id: '1', secret: 'first-secret-0123456789' }] };

describe('reply tokens', () => {
  it('round-trips and fits an email local part', () => {
    const token = signReplyToken(keys, 1234);
    expect(token).toMatch(/^t1234k1[a-z2-7]{20}$/);
    expect(`support+${token}`.length).toBeLessThan(64);
    expect(verifyReplyToken(keys, token)).toBe(1234);
    expect(verifyReplyToken(keys, token.toUpperCase())).toBe(1234); // mail systems may change case
  });

  it('rejects a token for another ticket, a tampered mac and an unknown key', () => {
    const token = signReplyToken(keys, 7);
    expect(verifyReplyToken(keys, token.replace('t7k', 't8k'))).toBeNull();
    expect(verifyReplyToken(keys, token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a'))).toBeNull();
    expect(verifyReplyToken({ keys: [{ id: '2', secret: 'other' }] }, token)).toBeNull();
    expect(verifyReplyToken(keys, 'garbage')).toBeNull();
  });

  it('keeps verifying old tokens after a key rotation', () => {
    const old = signReplyToken(keys, 99);
    const rotated = { keys: [{ id: '2', secret: 'second-secret-0123456789' }, ...keys.keys] };
    expect(signReplyToken(rotated, 99)).toMatch(/^t99k2/);
    expect(verifyReplyToken(rotated, old)).toBe(99);
  });

  it('finds tokens only in plus-addresses of our own domain', () => {
    expect(tokensInAddresses(['Support+ABC@Helpdesk.test', 'support+x@evil.test', 'other+y@helpdesk.test'], 'helpdesk.test', 'support'))
      .toEqual(['abc']);
  });
});

describe('VERP tokens', () => {
  it('round-trips, and neither kind of token passes as the other', () => {
    const verp = signVerpToken(keys, '0123456789abcdef');
    expect(verp).toMatch(/^b0123456789abcdefk1[a-z2-7]{16}$/);
    expect(verifyVerpToken(keys, verp)).toBe('0123456789abcdef');
    expect(verifyVerpToken(keys, verp.replace('b0123', 'b1123'))).toBeNull();
    expect(verifyReplyToken(keys, verp)).toBeNull();
    expect(verifyVerpToken(keys, signReplyToken(keys, 5))).toBeNull();
  });

  it('keeps agent tokens apart from customer tokens, bound to one agent', () => {
    const token = signAgentToken(keys, 42, 'Dana@Helpdesk.test');
    expect(token).toMatch(/^a42g[a-z2-7]{8}k1[a-z2-7]{20}$/);
    expect(`support+${token}`.length).toBeLessThan(64);
    expect(verifyAgentToken(keys, token, 'dana@helpdesk.test')).toEqual({ ticketNumber: 42, issuedToSender: true });
    expect(verifyAgentToken(keys, token.toUpperCase(), 'dana@helpdesk.test')).toEqual({ ticketNumber: 42, issuedToSender: true });
    expect(verifyAgentToken(keys, token, 'eve@helpdesk.test')).toEqual({ ticketNumber: 42, issuedToSender: false });
    // Neither kind passes as the other, even with the same key.
    expect(verifyReplyToken(keys, token)).toBeNull();
    expect(verifyAgentToken(keys, signReplyToken(keys, 42), 'dana@helpdesk.test')).toBeNull();
    expect(verifyAgentToken(keys, token.replace('a42g', 'a43g'), 'dana@helpdesk.test')).toBeNull();
    for (let i = 0; i < 50; i++) { // agent tags of every shape, including ones with a `g`
      const agent = `agent${i}@helpdesk.test`;
      expect(verifyAgentToken(keys, signAgentToken(keys, i + 1, agent), agent)).toEqual({ ticketNumber: i + 1, issuedToSender: true });
    }
  });
});
