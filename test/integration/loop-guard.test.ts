/** The global breaker: however many different people write, automatic mail pauses at the cap. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeRawMail } from '../../channels/index.ts';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { openTestDb } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('global acknowledgement breaker', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  let core: Awaited<ReturnType<typeof buildCore>>;
  let deps: Parameters<typeof intakeRawMail>[2];

  beforeAll(async () => {
    db = await openTestDb('loop_guard');
    const config = testConfig({ database: { dbName: db.dbName } }, { GLOBAL_BREAKER_LIMIT: '2' });
    const logger = createLogger('silent');
    core = await buildCore(config, db.conn, logger);
    deps = { sink: core.ingest, logger, context: { blobs: core.repos.blobs, supportAddress: config.supportAddress, limits: config.mail } };
  });
  afterAll(() => db.drop());

  it('acknowledges until the cap, then records why it stopped', async () => {
    const decisions = [];
    for (let i = 1; i <= 3; i++) {
      await intakeRawMail(await buildMail({ messageId: `<wave-${i}@example.org>`, from: `person${i}@example.org`, subject: `Outage ${i}` }), 'test', deps);
      decisions.push((await core.repos.messages.byExternalId('email', `wave-${i}@example.org`))!.ackDecision);
    }
    expect(decisions.map((d) => d?.rule)).toEqual(['queued', 'queued', 'global-breaker']);
    expect(await core.models.Outbox.countDocuments()).toBe(2);
  });
});
