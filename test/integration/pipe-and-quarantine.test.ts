/**
 * `helpdesk pipe` and `helpdesk quarantine` as an MTA and an admin run them: real processes, real
 * database. Exit codes: 0 kept (stored or quarantined), 75 try later (nothing stored), 65 empty input.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { runCli } from '../support/gateway-process.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('helpdesk pipe and quarantine', () => {
  let conn: mongoose.Connection;
  let env: Record<string, string>;

  beforeAll(async () => {
    const dbName = testDbName('pipe');
    conn = await mongoose.createConnection(mongoUri(), { dbName }).asPromise();
    env = {
      MONGODB_URI: mongoUri(), HELPDESK_DB_NAME: dbName, SUPPORT_ADDRESS: 'support@helpdesk.test',
      HELPDESK_SECRET: 'pipe-secret-0123456789abcdef', ADMIN_TOKEN: 'pipe-admin-token-0123456789',
      MAIL_MAX_MESSAGE_BYTES: String(200 * 1024),
    };
  });
  afterAll(async () => {
    await conn.dropDatabase().catch(() => {});
    await conn.close();
  });

  it('exits 75 and stores nothing while the database is down, then stores the same mail', async () => {
    const raw = await buildMail({ messageId: '<piped@example.org>', subject: 'Sent through the pipe', from: 'pipe@example.org' });
    const down = await runCli(['pipe'], { ...env, MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/`, MONGODB_SERVER_SELECTION_TIMEOUT_MS: '2000' }, raw);
    expect(down.code, down.stderr).toBe(75);
    expect(down.stderr).toMatch(/temporary failure/);
    expect(await conn.collection('messages').countDocuments()).toBe(0);
    expect(await conn.collection('tickets').countDocuments()).toBe(0);

    const up = await runCli(['pipe'], env, raw);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^created #1/);
    // The SLA clock is written after the ticket's event, yet before the command exits.
    const ticket = await conn.collection('tickets').findOne({ number: 1 });
    expect(await conn.collection('sla_timers').findOne({ _id: `${ticket!._id}:clock` as never })).toMatchObject({ ticketNumber: 1 });
    const again = await runCli(['pipe'], env, raw);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^duplicate #1/);
    expect(await conn.collection('tickets').countDocuments()).toBe(1);
    expect(await conn.collection('outbox').countDocuments()).toBe(1);
  });

  it('quarantines broken MIME with its raw bytes, and a forced retry makes it a ticket', async () => {
    const broken = Buffer.from([
      'From: broken@example.org', 'To: support@helpdesk.test', 'Subject: Broken multipart', 'Message-ID: <broken@example.org>',
      'MIME-Version: 1.0', 'Content-Type: multipart/mixed', '', 'This body claims to be multipart but has no boundary.', '',
    ].join('\r\n'));
    const piped = await runCli(['pipe'], env, broken);
    expect(piped.code, piped.stderr).toBe(0); // kept for an admin: the MTA must not bounce it
    expect(piped.stdout).toMatch(/quarantined: multipart message without a boundary/);

    const held = await conn.collection('quarantine').findOne({ reason: /boundary/ });
    expect(held).toBeTruthy();
    // A small blob is stored inline in its files document (gridfs.blob-store.ts).
    const file = await conn.collection('blobs.files').findOne({ _id: held!.rawBlobId });
    expect(Buffer.from(file!.data.buffer)).toEqual(broken);

    const list = await runCli(['quarantine', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(String(held!._id));

    const plain = await runCli(['quarantine', 'retry', String(held!._id)], env);
    expect(plain.code).toBe(65); // still broken: stays held, with the error recorded
    expect((await conn.collection('quarantine').findOne({ _id: held!._id }))?.attempts).toBe(1);

    const forced = await runCli(['quarantine', 'retry', String(held!._id), '--force'], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^created #\d+/);
    const after = await conn.collection('quarantine').findOne({ _id: held!._id });
    expect(after).toMatchObject({ status: 'released', attempts: 2 });
    expect(await conn.collection('messages').countDocuments({ externalId: 'broken@example.org' })).toBe(1);
  });

  it('quarantines an oversized mail and takes it once the limit is raised', async () => {
    const big = await buildMail({ messageId: '<big@example.org>', subject: 'Huge scan', from: 'big@example.org',
      attachments: [{ filename: 'scan.bin', content: randomBytes(300 * 1024) }] });
    const piped = await runCli(['pipe'], env, big);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/over the 204800-byte limit/);
    const held = await conn.collection('quarantine').findOne({ reason: /byte limit/ });
    expect(held?.size).toBe(big.length);

    const retried = await runCli(['quarantine', 'retry', String(held!._id)], { ...env, MAIL_MAX_MESSAGE_BYTES: String(2 * 1024 * 1024) });
    expect(retried.code, retried.stderr).toBe(0);
    const message = await conn.collection('messages').findOne({ externalId: 'big@example.org' });
    expect(message?.attachments?.[0]?.size).toBe(300 * 1024);
  });

  it('refuses to start with a bad IMAP_PORT and names it', async () => {
    const res = await runCli(['quarantine', 'list'], { ...env, IMAP_PORT: 'imap' });
    expect(res.code).toBe(78);
    expect(res.stderr).toMatch(/IMAP_PORT \(channels\.email\.imap\.port\)/);
  });
});
