/**
 * Intake rules against the real gateway and database: an admin stores an ordered list through the
 * API (a bad rule refuses the list with a 400 naming the field, and nothing changes), every
 * condition and action shows on the tickets new messages open, the first matching rule wins, the
 * rule that fired is in the opening message's decisions and in the audit trail, and a reply to an
 * existing ticket is not routed again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { bearerClient, type ApiCaller } from '../support/api-client.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';

let seq = 0;
function inbound(channel: InboundMessage['channel'], fields: Partial<InboundMessage> & { text: string }): InboundMessage {
  seq += 1;
  return {
    channel, externalId: `rules-${seq}`, from: { address: `c${seq}@example.org`, name: 'Customer' }, to: [], cc: [], subject: 'Help please',
    visibleText: fields.text, attachments: [], receivedAt: new Date(), threadHints: { replyTokens: [], references: [] },
    classification: 'human', classificationReason: 'test', ...fields,
  };
}

const RULES = [
  { id: 'vpn-network', name: 'VPN at Corp', when: { words: ['VPN'], senderDomains: ['corp.example'] }, then: { category: 'network', tier: 'L2', tags: ['vpn'] } },
  { id: 'server-down', name: 'Outage', when: { words: ['server down', 'mati total'] }, then: { priority: 'urgent', tier: 'L3' } },
  { id: 'billing-form', name: 'Billing form', when: { channels: ['webform'], formCategories: ['Billing'] }, then: { category: 'billing', assigneeId: 'ag_bill' } },
  { id: 'shop-chat', name: 'Shop widget', when: { chatSites: ['shop-site'] }, then: { priority: 'high', tags: ['shop', 'chat'] } },
  { id: 'urgent-box', name: 'Urgent mailbox', when: { channels: ['email'], recipients: ['Urgent@Support.Example'] }, then: { priority: 'urgent' } },
  { id: 'switched-off', name: 'Disabled', enabled: false, when: {}, then: { tags: ['never'] } },
  { id: 'default', name: 'Everything else', when: {}, then: { tier: 'L1', tags: ['untriaged'] } },
];

describe('intake rules', () => {
  let gateway: Gateway;
  let api: ApiCaller;
  const open = async (message: InboundMessage) => {
    const result = await gateway.ingest.ingest(message);
    expect(result.outcome).toBe('created');
    const res = await api('GET', `/tickets/${result.ticketNumber}`);
    return res.json();
  };

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('rulesintake') } }), mongoUri(), createLogger('silent'));
    await gateway.start();
    api = bearerClient(`http://127.0.0.1:${gateway.httpPort()}`, 'test-admin-token-0123456789');
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('stores the ordered list an admin puts, normalized, and lists it in the OpenAPI document', async () => {
    const put = await api('PUT', '/rules', { rules: RULES });
    expect(put.status).toBe(200);
    const listed = (await (await api('GET', '/rules')).json()).rules;
    expect(listed.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(listed[0]).toEqual({ ...RULES[0], enabled: true, when: { words: ['vpn'], senderDomains: ['corp.example'] } });
    expect(listed[4].when.recipients).toEqual(['urgent@support.example']);
    expect(listed[5].enabled).toBe(false);
    const doc = await (await api('GET', '/openapi.json')).json();
    expect(doc.paths['/rules'].get.operationId).toBe('listIntakeRules');
    expect(doc.paths['/rules'].put.operationId).toBe('replaceIntakeRules');
  });

  it('refuses an invalid rule with a 400 that names the field, and keeps the stored list', async () => {
    const bad = async (rule: Record<string, unknown>) => {
      const res = await api('PUT', '/rules', { rules: [RULES[0], { id: 'x', name: 'X', when: {}, then: { tags: ['t'] }, ...rule }] });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toBe('invalid_request');
      return body.message as string;
    };
    expect(await bad({ when: { words: ['(a+)+$'] } })).toMatch(/^rules\.1\.when\.words\.0: .*no patterns/);
    expect(await bad({ when: { subjectRegex: 'vpn' } })).toMatch(/subjectRegex/);
    expect(await bad({ then: {} })).toMatch(/^rules\.1\.then: a rule must set at least one/);
    expect(await bad({ then: { priority: 'whenever' } })).toMatch(/^rules\.1\.then\.priority/);
    expect(await bad({ when: { senderDomains: ['not a domain'] } })).toMatch(/^rules\.1\.when\.senderDomains\.0: a domain/);
    expect(await bad({ id: 'vpn-network' })).toMatch(/^rules\.1\.id: duplicate rule id "vpn-network"/);
    expect(await bad({ when: { words: ['x'.repeat(5000)] } })).toMatch(/^rules\.1\.when\.words\.0/);
    expect((await (await api('GET', '/rules')).json()).rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
  });

  it('words and sender domain (subdomains too) together: category, tier and tags; the rule is in the decision log', async () => {
    const ticket = await open(inbound('email', { from: { address: 'ann@mail.corp.example' }, subject: 'Cannot connect', text: 'My VPN, again.' }));
    expect(ticket).toMatchObject({ category: 'network', tier: 'L2', tags: ['vpn'], priority: 'normal', assigneeId: null });
    const decision = ticket.messages[0].decisions.find((d: { step: string }) => d.step === 'rule');
    expect(decision).toEqual({ step: 'rule', rule: 'vpn-network', detail: expect.stringContaining('matched sender domain, words') });
    const event = await gateway.models.TicketEvent.findOne({ type: 'ticket.rule-applied' }).lean<{ actor: string; data: { rule: string } }>();
    expect(event).toMatchObject({ actor: 'rule:vpn-network', data: { rule: 'vpn-network' } });
  });

  it('the same words from another domain do not fire that rule (all conditions must hold)', async () => {
    const ticket = await open(inbound('email', { from: { address: 'ann@corp.example.net' }, text: 'vpn broken' }));
    expect(ticket).toMatchObject({ category: null, tier: 'L1', tags: ['untriaged'] });
  });

  it('a phrase matches only as consecutive words, in any case, in subject or body; English or Indonesian', async () => {
    expect(await open(inbound('email', { subject: 'SERVER DOWN!!', text: 'see subject' }))).toMatchObject({ priority: 'urgent', tier: 'L3' });
    expect(await open(inbound('chat', { text: 'Aplikasi kami mati total sejak pagi' }))).toMatchObject({ priority: 'urgent', tier: 'L3' });
    expect(await open(inbound('email', { text: 'the server is not down' }))).toMatchObject({ priority: 'normal', tags: ['untriaged'] });
  });

  it('first match wins: a message matching two rules gets only the earlier one', async () => {
    const ticket = await open(inbound('email', { from: { address: 'bo@corp.example' }, text: 'VPN server down' }));
    expect(ticket).toMatchObject({ category: 'network', tier: 'L2', priority: 'normal', tags: ['vpn'] });
  });

  it('channel and form category set category and assignee; the chat site sets priority and tags', async () => {
    expect(await open(inbound('webform', { text: 'invoice', intake: { formCategory: 'billing' } }))).toMatchObject({ category: 'billing', assigneeId: 'ag_bill' });
    // The same category by mail: the rule also names the web form channel.
    expect(await open(inbound('email', { text: 'invoice', intake: { formCategory: 'billing' } }))).toMatchObject({ category: null, assigneeId: null });
    expect(await open(inbound('chat', { text: 'hello', intake: { chatSite: 'shop-site' } }))).toMatchObject({ priority: 'high', tags: ['shop', 'chat'] });
    expect(await open(inbound('chat', { text: 'hello', intake: { chatSite: 'blog-site' } }))).toMatchObject({ priority: 'normal', tags: ['untriaged'] });
  });

  it('the recipient address (mailbox) matches case-insensitively in To or Cc', async () => {
    const to = await open(inbound('email', { to: [{ address: 'urgent@support.example' }], text: 'hi' }));
    expect(to.priority).toBe('urgent');
    const cc = await open(inbound('email', { to: [{ address: 'support@support.example' }], cc: [{ address: 'URGENT@support.example' }], text: 'hi' }));
    expect(cc.priority).toBe('urgent');
  });

  it('rules act when a ticket is created only: a later message on it changes nothing', async () => {
    const first = inbound('chat', { text: 'hello', threadHints: { replyTokens: [], references: [], conversationId: 'conv-rules' } });
    const ticket = await open(first);
    expect(ticket.tags).toEqual(['untriaged']);
    const later = await gateway.ingest.ingest({ ...inbound('chat', { text: 'VPN server down' }), from: first.from, threadHints: first.threadHints });
    expect(later).toMatchObject({ outcome: 'appended', ticketNumber: ticket.number });
    expect(await (await api('GET', `/tickets/${ticket.number}`)).json()).toMatchObject({ priority: 'normal', tier: 'L1', tags: ['untriaged'] });
  });

  it('with no rules stored nothing is set, and a ticket stored before tags existed reads with none', async () => {
    expect((await api('PUT', '/rules', { rules: [] })).status).toBe(200);
    const ticket = await open(inbound('email', { text: 'server down' }));
    expect(ticket).toMatchObject({ priority: 'normal', tier: null, tags: [] });
    expect(ticket.messages[0].decisions.some((d: { step: string }) => d.step === 'rule')).toBe(false);
    await gateway.models.Ticket.collection.updateOne({ number: ticket.number }, { $unset: { tags: 1 } });
    expect((await (await api('GET', `/tickets/${ticket.number}`)).json()).tags).toEqual([]);
  });
});
