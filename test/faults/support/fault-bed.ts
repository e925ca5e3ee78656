/**
 * Everything a fault scenario runs against, all on loopback: a FerretDB it may kill, a private
 * Dovecot, an SMTP peer it may stop and bring back on the same port, and the gateway as its own
 * process (as `npm start` runs it), started as often as the scenario likes.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { freePort, waitForPort } from '../../../src/infra/db/tcp-ports.ts';
import { startDovecot, type DovecotServer } from '../../support/dovecot.ts';
import { spawnGateway, type GatewayProcess } from '../../support/gateway-process.ts';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../../support/smtp-sink.ts';
import { waitUntil } from '../../support/skip.ts';
import { FAULT_CHAT_SITE } from './chat-source.ts';
import { startKillableFerretDb, type KillableDatabase } from './ferretdb.ts';

export interface RunningGateway {
  process: GatewayProcess;
  lmtpPort: number;
  httpPort: number;
  startedAt: number;
}

export interface FaultBed {
  db: KillableDatabase;
  dovecot: DovecotServer;
  /** The database the gateways share, for the checks. */
  conn: mongoose.Connection;
  user: string;
  /** Environment of a gateway or CLI process on this bed. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Spawns a gateway (own LMTP and HTTP ports unless LMTP_PORT/PORT are given); resolves once its HTTP port answers. */
  startGateway(extra?: Record<string, string>, options?: { waitForHttp?: boolean }): Promise<RunningGateway>;
  /** Every mail the SMTP peer accepted, across its restarts. */
  sinkMessages(): SinkMessage[];
  stopSink(): Promise<void>;
  startSink(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startFaultBed(user: string): Promise<FaultBed> {
  const db = await startKillableFerretDb();
  const dovecot = await startDovecot();
  const smtpPort = await freePort();
  const sinks: SmtpSink[] = [];
  let sink: SmtpSink | undefined = await startSmtpSink({ port: smtpPort });
  sinks.push(sink);
  const dbName = `faults_${user}`;
  const conn = await mongoose.createConnection(db.uri, { dbName, serverSelectionTimeoutMS: 5_000 }).asPromise();
  // IMAP reconnect pacing has no environment variable; a config file sets it like an operator would.
  const configFile = join(tmpdir(), `faults-${user}-${process.pid}.json`);
  await writeFile(configFile, JSON.stringify({ channels: { email: { imap: { reconnectMinMs: 100, reconnectMaxMs: 2_000 } } } }));
  const gateways: GatewayProcess[] = [];
  // If the test process dies without dispose(), no gateway may outlive it.
  const killAll = (): void => { for (const g of gateways) g.child.kill('SIGKILL'); };
  process.once('exit', killAll);

  const env = (extra: Record<string, string> = {}) => ({
    HELPDESK_CONFIG: configFile, LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'error',
    MONGODB_URI: db.uri, HELPDESK_DB_NAME: dbName,
    HELPDESK_SECRET: 'fault-secret-0123456789abcdef', ADMIN_TOKEN: 'fault-admin-token-0123456789',
    SUPPORT_ADDRESS: 'support@helpdesk.test',
    IMAP_HOST: dovecot.host, IMAP_PORT: String(dovecot.imapPort), IMAP_USER: user, IMAP_PASSWORD: dovecot.password,
    IMAP_TLS: 'false', IMAP_DRAIN_INTERVAL_MS: '1000', IMAP_LEASE_MS: '2000',
    SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtpPort), SMTP_TLS: 'false',
    OUTBOX_POLL_INTERVAL_MS: '200', OUTBOX_LEASE_MS: '2000',
    OUTBOX_BACKOFF_BASE_MS: '100', OUTBOX_BACKOFF_MAX_MS: '1000', OUTBOX_MAX_ATTEMPTS: '1000',
    // Every message is a new ticket from a new sender; no breaker may decide the counts.
    GLOBAL_BREAKER_LIMIT: '100000', ACK_PER_DOMAIN_LIMIT: '100000',
    // Chat and form load come from one script on one address: no rate limit may decide a count
    // either, and the form is sent at once (the robot checks have tests of their own).
    CHAT_SITES: JSON.stringify([FAULT_CHAT_SITE]),
    CHAT_SOCKET_RATE_POINTS: '100000', CHAT_VISITOR_RATE_POINTS: '100000',
    WEBFORM_MIN_FILL_MS: '0', WEBFORM_RATE_IP_LIMIT: '100000', WEBFORM_RATE_ADDRESS_LIMIT: '100000',
    ...extra,
  });

  return {
    db, dovecot, conn, user, env,
    async startGateway(extra = {}, { waitForHttp = true } = {}) {
      const lmtpPort = Number(extra.LMTP_PORT ?? await freePort());
      const httpPort = Number(extra.PORT ?? await freePort());
      const child = spawnGateway(env({ LMTP_PORT: String(lmtpPort), PORT: String(httpPort), ...extra }));
      gateways.push(child);
      const startedAt = Date.now();
      if (!waitForHttp) return { process: child, lmtpPort, httpPort, startedAt };
      await Promise.race([
        waitForPort(httpPort, 120_000),
        child.exited.then(({ code, signal }) => { throw new Error(`gateway exited at start (${code ?? signal}): ${child.output()}`); }),
      ]);
      return { process: child, lmtpPort, httpPort, startedAt };
    },
    sinkMessages: () => sinks.flatMap((s) => s.messages),
    async stopSink() {
      await sink?.stop();
      sink = undefined;
    },
    async startSink() {
      sink = await startSmtpSink({ port: smtpPort });
      sinks.push(sink);
    },
    async dispose() {
      process.off('exit', killAll);
      for (const g of gateways) await g.stop().catch(() => {});
      await conn.close().catch(() => {});
      await sink?.stop();
      await dovecot.stop();
      await db.dispose();
    },
  };
}

/** Waits until a gateway's readiness probe says every part (database, IMAP, LMTP, SMTP) is up. */
export function waitReady(gateway: RunningGateway, timeoutMs = 60_000): Promise<unknown> {
  return waitUntil(async () => (await fetch(`http://127.0.0.1:${gateway.httpPort}/readyz`)).ok, 'the gateway to be ready', timeoutMs, 250);
}
