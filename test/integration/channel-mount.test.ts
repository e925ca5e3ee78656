/**
 * A channel attaches to the gateway's one HTTP server: its routes answer beside the API, and its
 * socket.io namespace accepts clients (spoken here over the plain Engine.IO polling transport).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelWebSurface } from '../../channels/index.ts';
import type { ChannelAdapter } from '../../src/core/index.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from '../support/config.ts';
import { mongoUri, testDbName } from '../support/database.ts';

const liveChannel: ChannelAdapter = {
  id: 'test-live',
  async start() {},
  async stop() {},
  async health() { return { ok: true, detail: 'test channel' }; },
  mount({ router, io }: ChannelWebSurface) {
    router.get('/test-chat/ping', (_req, res) => { res.json({ pong: true }); });
    io.of('/test-live').on('connection', (socket) => { socket.emit('hello', 'visitor'); });
  },
};

describe('channel mount', () => {
  let gateway: Gateway;
  let base: string;
  beforeAll(async () => {
    gateway = await createGateway(testConfig({ database: { dbName: testDbName('mount') } }), mongoUri(), createLogger('silent'), {
      extraChannels: [liveChannel],
    });
    await gateway.start();
    base = `http://127.0.0.1:${gateway.httpPort()}`;
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => {});
    await gateway.stop();
  });

  it('serves the routes a channel mounted, and still 404s the rest', async () => {
    expect(await (await fetch(`${base}/test-chat/ping`)).json()).toEqual({ pong: true });
    expect((await fetch(`${base}/test-chat/nothing`)).status).toBe(404);
  });

  it('connects a socket.io client to the namespace a channel mounted', async () => {
    const open = await (await fetch(`${base}/socket.io/?EIO=4&transport=polling`)).text();
    const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
    const url = `${base}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    expect((await fetch(url, { method: 'POST', body: '40/test-live,' })).status).toBe(200);
    const reply = await (await fetch(url)).text();
    expect(reply).toMatch(/^40\/test-live,\{"sid":/);
    expect(reply).toContain('42/test-live,["hello","visitor"]');
  });

  it('reports the mounted channel in readiness', async () => {
    expect((await gateway.readiness())['test-live']).toEqual({ ok: true, detail: 'test channel' });
  });
});
