/**
 * Attachment downloads whose stored content breaks: an error status when nothing was sent yet, a
 * cut-off transfer once the body started, and the process keeps serving either way.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';
import { buildMail } from '../support/mail-builder.ts';

describe('attachment downloads with broken content', () => {
  let gateway: Gateway;
  let base: string;
  const get = (path: string) => fetch(`${base}${path}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
  const chunks = () => gateway.conn.db!.collection('blobs.chunks');
  const attach = async (n: number, content: Buffer) => {
    const raw = await buildMail({ messageId: `<att-${n}@example.org>`, from: `user${n}@example.org`, subject: `Scan ${n}`, attachments: [{ filename: `scan-${n}.bin`, content }] });
    const { ticketNumber } = await gateway.channels.email.intake(raw, 'test', gateway.ingest);
    const ticket = await (await get(`/api/v1/tickets/${ticketNumber}`)).json();
    const path = new URL((ticket.messages[0].attachments[0] as { url: string }).url).pathname;
    return { path, blobId: path.split('/').pop()! };
  };

  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('download') } }), mongoUri(), createLogger('silent'));
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('answers 500 when the content is gone before the download starts, and keeps serving', async () => {
    const content = randomBytes(300_000);
    const { path, blobId } = await attach(1, content);
    expect(Buffer.from(await (await get(path)).arrayBuffer())).toEqual(content);
    await chunks().deleteMany({ files_id: blobId });
    const res = await get(path);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: 'attachment_unavailable' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('cuts the transfer off when a chunk is lost mid-download, and keeps serving', async () => {
    const content = randomBytes(800_000); // four 255 KiB chunks
    const { path, blobId } = await attach(2, content);
    await chunks().deleteOne({ files_id: blobId, n: 2 });
    const res = await get(path);
    const body = res.arrayBuffer().then((b) => b.byteLength, () => 'aborted');
    expect(await body).not.toBe(content.length); // never a silently complete-looking file
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await get('/api/v1/tickets')).status).toBe(200);
  });
});
