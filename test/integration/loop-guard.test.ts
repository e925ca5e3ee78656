/** The global breaker: however many different people write, automatic mail pauses at the cap. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCore } from '../support/core.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('global acknowledgement breaker', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  beforeAll(async () => { env = await openTestCore('loop_guard', { GLOBAL_BREAKER_LIMIT: '2' }); });
  afterAll(() => env.drop());

  it('acknowledges until the cap, then records why it stopped', async () => {
    const decisions = [];
    for (let i = 1; i <= 3; i++) {
      await env.intake(await buildMail({ messageId: `<wave-${i}@example.org>`, from: `person${i}@example.org`, subject: `Outage ${i}` }));
      decisions.push((await env.core.repos.messages.byExternalId('email', `wave-${i}@example.org`))!.ackDecision);
    }
    expect(decisions.map((d) => d?.rule)).toEqual(['queued', 'queued', 'global-breaker']);
    expect(await env.core.models.Outbox.countDocuments()).toBe(2);
  });
});

describe('acknowledgements per address', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  beforeAll(async () => { env = await openTestCore('loop_guard_addr', { ACK_PER_SENDER_LIMIT: '2', GLOBAL_BREAKER_LIMIT: '3' }); });
  afterAll(() => env.drop());

  const ruleOf = async (n: string, from: string) => {
    await env.intake(await buildMail({ messageId: `<${n}@example.org>`, from, subject: `Ticket ${n}` }));
    return (await env.core.repos.messages.byExternalId('email', `${n}@example.org`))!.ackDecision?.rule;
  };

  it('stops at the limit for one address, and mail it stopped does not use up the gateway-wide limit', async () => {
    const rules = [];
    for (let i = 1; i <= 5; i++) rules.push(await ruleOf(`robot-${i}`, 'robot@auto.example'));
    expect(rules).toEqual(['queued', 'queued', 'rate-limited', 'rate-limited', 'rate-limited']);
    // Two acknowledgements counted gateway-wide so far, of three allowed: the next stranger gets one.
    expect(await ruleOf('human-1', 'human@people.example')).toBe('queued');
    expect(await ruleOf('human-2', 'other@people2.example')).toBe('global-breaker');
    expect(await env.core.models.Outbox.countDocuments()).toBe(3);
  });
});
