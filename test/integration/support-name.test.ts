/** SUPPORT_NAME is the display name customers see on our mail. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCore } from '../support/core.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('support display name', () => {
  let env: Awaited<ReturnType<typeof openTestCore>>;
  beforeAll(async () => { env = await openTestCore('support_name', { SUPPORT_NAME: 'Acme Help Desk' }); });
  afterAll(() => env.drop());

  it('signs the acknowledgement with the configured name', async () => {
    await env.intake(await buildMail({ messageId: '<named@example.org>', subject: 'Where is my order?' }));
    const ack = await env.core.models.Outbox.findOne({ kind: 'ack' }).lean();
    expect(ack?.from).toMatchObject({ name: 'Acme Help Desk', address: 'support@helpdesk.test' });
  });
});
