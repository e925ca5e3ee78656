/** Rotating HELPDESK_SECRET: tokens signed under the old secret keep threading while the new one signs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signReplyToken, type MailOutboxEntry } from '../../src/core/index.ts';
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { openTestDb } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

const OLD = 'old-secret-0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef';

describe('secret rotation', () => {
  let db: Awaited<ReturnType<typeof openTestDb>>;
  beforeAll(async () => { db = await openTestDb('rotation'); });
  afterAll(() => db.drop());

  const core = (env: Record<string, string>) => buildCore(testConfig({ database: { dbName: db.dbName } }, env), db.conn, createLogger('silent'));

  it('threads a reply carrying a token signed before the rotation, and signs new mail with the new key', async () => {
    const before = await core({ HELPDESK_SECRET: OLD });
    const opened = await before.channels.email.intake(await buildMail({ messageId: '<first@example.org>', from: 'ann@example.org', subject: 'Help' }), 'test', before.ingest);
    const oldToken = signReplyToken({ keys: [{ id: '1', secret: OLD }] }, opened.ticketNumber!);
    const ack = await before.repos.outbox.byId(`ack:${(await before.repos.tickets.byNumber(opened.ticketNumber!))!.id}`) as MailOutboxEntry | null;
    expect(ack?.replyTo?.address).toBe(`support+${oldToken}@helpdesk.test`);

    const after = await core({ HELPDESK_SECRET: NEW, HELPDESK_KEY_ID: '2', HELPDESK_PREVIOUS_SECRETS: `1:${OLD}` });
    const reply = (to: string, id: string) => buildMail({ messageId: `<${id}@example.org>`, from: 'colleague@example.org', to, subject: 'Re: Help' });
    const threaded = await after.channels.email.intake(await reply(`support+${oldToken}@helpdesk.test`, 'after-rotation'), 'test', after.ingest);
    expect(threaded).toMatchObject({ outcome: 'appended', ticketNumber: opened.ticketNumber });

    // New mail carries key id 2; without the previous secret, the old token no longer verifies.
    const second = await after.channels.email.intake(await buildMail({ messageId: '<second@example.org>', from: 'bob@example.org', subject: 'Other' }), 'test', after.ingest);
    const newAck = await after.repos.outbox.byId(`ack:${(await after.repos.tickets.byNumber(second.ticketNumber!))!.id}`) as MailOutboxEntry | null;
    expect(newAck?.replyTo?.address).toMatch(new RegExp(`^support\\+t${second.ticketNumber}k2[a-z2-7]{20}@helpdesk\\.test$`));
    const dropped = await core({ HELPDESK_SECRET: NEW, HELPDESK_KEY_ID: '2' });
    const lost = await dropped.channels.email.intake(await reply(`support+${oldToken}@helpdesk.test`, 'old-key-dropped'), 'test', dropped.ingest);
    expect(lost.outcome).toBe('created');
  });
});
