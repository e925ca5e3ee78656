/**
 * The real gateway process, started as `npm start` would with no secrets configured: it generates
 * them into the data directory (owner-only), says where the admin token is without printing it,
 * reuses them on the next start, listens on loopback only, and refuses all this in production.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mongoUri, testDbName } from '../support/database.ts';
import { spawnGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { waitUntil } from '../support/skip.ts';

const dataDir = join(mkdtempSync(join(tmpdir(), 'helpdesk-safe-')), 'data');
const env = () => ({ NODE_ENV: 'development', LOG_LEVEL: 'info', MONGODB_URI: mongoUri(), HELPDESK_DB_NAME: testDbName('safe_start'), HELPDESK_DATA_DIR: dataDir });

/** Starts the process and resolves with where its HTTP server listens, read from its own log. */
async function start(extra: Record<string, string> = {}): Promise<{ gw: GatewayProcess; host: string; port: number }> {
  const gw = spawnGateway({ ...env(), ...extra });
  running.push(gw);
  const line = await waitUntil(() => gw.output().split('\n').find((l) => l.includes('"http listening"')), 'the gateway to listen', 60_000);
  const { host, port } = JSON.parse(line) as { host: string; port: number };
  return { gw, host, port };
}
const running: GatewayProcess[] = [];

describe('safe by default', () => {
  afterAll(async () => { await Promise.all(running.map((gw) => gw.stop())); });

  it('generates the secrets on the first start, keeps them owner-only, and reuses them on the next', async () => {
    const first = await start();
    const file = join(dataDir, 'secrets.json');
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as { secret: string; adminToken: string };
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(first.gw.output()).toContain(file); // where the admin token is...
    expect(first.gw.output()).not.toContain(secrets.adminToken); // ...never the token itself
    expect(first.gw.output()).not.toContain(secrets.secret);
    const api = (port: number, token: string) => fetch(`http://127.0.0.1:${port}/api/v1/tickets`, { headers: { authorization: `Bearer ${token}` } });
    expect((await api(first.port, secrets.adminToken)).status).toBe(200);
    expect((await api(first.port, 'dev-only-admin-token-change-me')).status).toBe(401);
    await first.gw.stop();

    const second = await start();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(secrets);
    expect((await api(second.port, secrets.adminToken)).status).toBe(200);
    await second.gw.stop();
  });

  it('listens on loopback unless HOST says otherwise', async () => {
    const { gw, host, port } = await start({ ADMIN_TOKEN: 'explicit-admin-token-0123456789', HELPDESK_SECRET: 'explicit-secret-0123456789' });
    expect(host).toBe('127.0.0.1');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // From any other interface of this machine, nothing answers.
    const outside = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (outside) await expect(fetch(`http://${outside.address}:${port}/healthz`)).rejects.toThrow();
    await gw.stop();
    const open = await start({ HOST: '0.0.0.0', ADMIN_TOKEN: 'explicit-admin-token-0123456789', HELPDESK_SECRET: 'explicit-secret-0123456789' });
    expect(open.host).toBe('0.0.0.0');
    await open.gw.stop();
  });

  it('refuses to start in production without explicit secrets (exit 78 naming them)', async () => {
    const prodDir = join(mkdtempSync(join(tmpdir(), 'helpdesk-prod-')), 'data');
    const gw = spawnGateway({ ...env(), NODE_ENV: 'production', HELPDESK_DATA_DIR: prodDir });
    running.push(gw);
    expect((await gw.exited).code).toBe(78);
    expect(gw.output()).toMatch(/HELPDESK_SECRET \(secret\): must be set in production/);
    expect(gw.output()).toMatch(/ADMIN_TOKEN \(adminToken\): must be set in production/);
  });
});
