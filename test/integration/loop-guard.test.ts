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
