/**
 * Everything a bench run talks to, all on loopback: the database, a private Dovecot (IMAP), the
 * SMTP peer (smtp-server) and the gateway as its own process, started as `npm start` would, so its
 * CPU and memory are its own. The helpers are the tests' own (test/support).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { freePort, waitForPort } from '../../src/infra/db/tcp-ports.ts';
import { startDovecot, type DovecotServer } from '../../test/support/dovecot.ts';
import { runCli, spawnGateway, type GatewayProcess } from '../../test/support/gateway-process.ts';
import { startSmtpSink, type SmtpSink } from '../../test/support/smtp-sink.ts';
import { startBenchDatabase, type BenchDatabase } from './database.ts';

export const SUPPORT = 'support@helpdesk.test';
export const CHAT_SITE = { key: 'bench', origins: ['https://shop.example'], identitySecret: 'bench-identity-secret-0123456789' };
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const IMAP_USER = 'bench';
export const SECRET = 'bench-secret-0123456789abcdef';

export interface RunningGateway {
  process: GatewayProcess;
  pid: number;
  httpPort: number;
  lmtpPort: number;
  base: string;
  stop(): Promise<void>;
}

export interface Bench {
  db: BenchDatabase;
  dbName: string;
  conn: mongoose.Connection;
  dovecot: DovecotServer;
  sink: SmtpSink;
  /** Starts a gateway; `smtp: false` leaves SMTP unset, so acknowledgements wait in the outbox. */
  startGateway(options?: { smtp?: boolean; env?: Record<string, string> }): Promise<RunningGateway>;
  /** `helpdesk pipe` with the gateway's settings. */
  pipe(raw: Buffer): Promise<{ code: number | null; stderr: string }>;
  dispose(): Promise<void>;
}

/** Extra node flags for the gateway (`--cpu-prof ...` with --profile). */
export async function startBench(nodeArgs: string[] = []): Promise<Bench> {
  const db = await startBenchDatabase();
  const dovecot = await startDovecot();
  const sink = await startSmtpSink();
  const dbName = `bench_${Date.now()}`;
  const conn = await mongoose.createConnection(db.uri, { dbName, serverSelectionTimeoutMS: 10_000 }).asPromise();
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'));
  // IMAP reconnect pacing has no environment variable; a config file sets it like an operator would.
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ channels: { email: { imap: { reconnectMinMs: 100, reconnectMaxMs: 2_000 } } } }));
  const gateways = new Set<GatewayProcess>();
  const killAll = (): void => { for (const g of gateways) g.child.kill('SIGKILL'); };
  process.once('exit', killAll);

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    HELPDESK_CONFIG: configFile, HELPDESK_DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    MONGODB_URI: db.uri, HELPDESK_DB_NAME: dbName, HELPDESK_SECRET: SECRET, ADMIN_TOKEN: ADMIN_TOKEN,
    SUPPORT_ADDRESS: SUPPORT,
    // Every bench mail is a stranger's first mail; no acknowledgement breaker may decide a count.
    GLOBAL_BREAKER_LIMIT: '10000000', ACK_PER_DOMAIN_LIMIT: '10000000', ACK_PER_SENDER_LIMIT: '10000000',
    // Rate limits off for the run (the settings have no "off": a limit nobody reaches).
    WEBFORM_RATE_IP_LIMIT: '1000000000', WEBFORM_RATE_ADDRESS_LIMIT: '1000000000', WEBFORM_MIN_FILL_MS: '0',
    CHAT_SITES: JSON.stringify([CHAT_SITE]),
    CHAT_SOCKET_RATE_POINTS: '1000000000', CHAT_VISITOR_RATE_POINTS: '1000000000',
    ...extra,
  });

  return {
    db, dbName, conn, dovecot, sink,
    async startGateway({ smtp = true, env: extra = {} } = {}) {
      const httpPort = await freePort();
      const lmtpPort = await freePort();
      const child = spawnGateway(env({
        PORT: String(httpPort), LMTP_PORT: String(lmtpPort), PUBLIC_URL: `http://127.0.0.1:${httpPort}`,
        IMAP_HOST: dovecot.host, IMAP_PORT: String(dovecot.imapPort), IMAP_USER, IMAP_PASSWORD: dovecot.password,
        IMAP_TLS: 'false', IMAP_DRAIN_INTERVAL_MS: '1000',
        ...(smtp ? { SMTP_HOST: sink.host, SMTP_PORT: String(sink.port), SMTP_TLS: 'false', OUTBOX_POLL_INTERVAL_MS: '200' } : {}),
        ...extra,
      }), { nodeArgs });
      gateways.add(child);
      await Promise.race([
        waitForPort(httpPort, 90_000),
        child.exited.then(({ code, signal }) => { throw new Error(`gateway exited at start (${code ?? signal}): ${child.output()}`); }),
      ]);
      const base = `http://127.0.0.1:${httpPort}`;
      await waitForPort(lmtpPort, 30_000);
      return {
        process: child, pid: child.child.pid!, httpPort, lmtpPort, base,
        async stop() { await child.stop(); gateways.delete(child); },
      };
    },
    async pipe(raw) {
      const { code, stderr } = await runCli(['pipe'], env(), raw);
      return { code, stderr };
    },
    async dispose() {
      process.off('exit', killAll);
      for (const g of gateways) await g.stop().catch(() => {});
      await conn.close().catch(() => {});
      await sink.stop().catch(() => {});
      await dovecot.stop().catch(() => {});
      await db.stop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
