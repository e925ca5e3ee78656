/** Rule facts and matching: plain tokens (no user pattern), capped text, channel facts from the chat widget. */
import { describe, expect, it } from 'vitest';
import { visitorInbound } from '../../channels/chat/chat-message.ts';
import { firstMatch, intakeFacts, MAX_RULE_TEXT, tokenize, type InboundMessage, type IntakeRule } from '../../src/core/index.ts';

const message = (text: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'email', externalId: 'x', from: { address: 'A@Sub.Corp.Example' }, to: [], cc: [], subject: 'Re: Hello', text, visibleText: text,
  attachments: [], receivedAt: new Date(0), threadHints: { replyTokens: [], references: [] }, classification: 'human', classificationReason: 't', ...extra,
});
const rule = (id: string, when: IntakeRule['when'], enabled = true): IntakeRule => ({ id, name: id, enabled, when, then: { tags: [id] } });

describe('intake rule matching', () => {
  it('splits on anything but letters and digits, lowercased, Indonesian included', () => {
    expect(tokenize('Bagaimana STATUS tiket #123? VPN-nya mati!')).toEqual(['bagaimana', 'status', 'tiket', '123', 'vpn', 'nya', 'mati']);
  });

  it('reads only the first MAX_RULE_TEXT characters of a huge adversarial body, quickly', () => {
    const hostile = `${'a-'.repeat(60_000)}needle`;
    const facts = intakeFacts(message(hostile));
    expect(facts.tokens.length).toBeLessThanOrEqual(MAX_RULE_TEXT);
    expect(facts.tokens).not.toContain('needle');
  });

  it('takes the sender domain lowercased and skips disabled rules, the first enabled match wins', () => {
    const facts = intakeFacts(message('nothing'));
    expect(facts.senderDomain).toBe('sub.corp.example');
    const hit = firstMatch([rule('off', {}, false), rule('corp', { senderDomains: ['corp.example'] }), rule('all', {})], facts);
    expect(hit?.rule.id).toBe('corp');
    expect(firstMatch([rule('other', { senderDomains: ['orp.example'] })], facts)).toBeNull();
  });

  it('a chat visitor message carries its site key for the chat-site condition', () => {
    const m = visitorInbound({ visitorId: 'v1', siteKey: 'shop-site' }, 'c1', 'hi', new Date(0));
    expect(intakeFacts(m).chatSite).toBe('shop-site');
    expect(firstMatch([rule('shop', { chatSites: ['shop-site'] })], intakeFacts(m))?.rule.id).toBe('shop');
  });
});
