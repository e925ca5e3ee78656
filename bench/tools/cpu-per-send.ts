/**
 * Gateway CPU per outbox send, in process, without the rest of the bench: a FerretDB of its own, a
 * gateway without SMTP ingests a few bench mails, their acknowledgements are copied (fresh ids and
 * Message-IDs) up to the count, then a second gateway with SMTP sends them to an SMTP peer that runs
 * in a child process (so its CPU is not the gateway's). Prints the gateway's CPU per mail (from its
 * start to the last result recorded), wall time, FerretDB's CPU and commands per mail.
 *   npx tsx bench/tools/cpu-per-send.ts [mails=500] [concurrency=4]
 * TIMES=1: per command (`find outbox`, ...) how many per mail and how long they took.
 * PROFILE=<file.cpuprofile>: CPU-profiles the main thread while sending (node:inspector).
 * A tool for finding where time goes; `npm run bench -- --only=outbox` is the measurement of record.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/index.ts';
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { benchMail } from '../lib/corpus.ts';
import { startBenchDatabase } from '../lib/database.ts';
import { commandTimes, ferretDbCpuMs, monitorCommandsIfAsked, profileIfAsked } from '../lib/probe.ts';
import { until } from '../lib/stats.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

if (process.argv[2] === '--peer') {
  // The SMTP peer: accepts and counts, nothing more; prints the count as it grows.
  const { SMTPServer } = await import('smtp-server');
  let count = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, closeTimeout: 1000,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.once('end', () => { count++; print(`n ${count}`); callback(); });
    },
  });
  server.listen(0, '127.0.0.1', () => print(`port ${(server.server.address() as { port: number }).port}`));
} else {
  await main();
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 500);
  const concurrency = Number(process.argv[3] ?? 4);
  const db = await startBenchDatabase();
  const peer = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--peer'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let received = 0;
  const port = await new Promise<number>((resolve) => {
    let buf = '';
    peer.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        const [k, v] = line.split(' ');
        if (k === 'port') resolve(Number(v));
        else received = Number(v);
      }
    });
  });
  const env = {
    NODE_ENV: 'production', LOG_LEVEL: 'error', PORT: '0', HELPDESK_DATA_DIR: mkdtempSync(join(tmpdir(), 'cpu-per-send-')), MONGODB_URI: db.uri,
    HELPDESK_DB_NAME: `cps_${Date.now()}`, HELPDESK_SECRET: 'bench-secret-0123456789abcdef', ADMIN_TOKEN: 'bench-admin-token-0123456789',
    SUPPORT_ADDRESS: 'support@helpdesk.test', PUBLIC_URL: 'http://127.0.0.1', GLOBAL_BREAKER_LIMIT: '10000000', ACK_PER_DOMAIN_LIMIT: '10000000',
    ACK_PER_SENDER_LIMIT: '10000000',
  };
  // Queue: a few real acknowledgements, copied up to n.
  const quiet = await createGateway(loadConfig({ env }), db.uri, createLogger('error'));
  await quiet.start({ listen: false });
  const tag = `s${Date.now().toString(36)}`;
  for (let i = 0; i < 5; i++) await quiet.channels.email.intake(benchMail(tag, i).raw, 'lmtp', quiet.ingest);
  const outbox = quiet.conn.db!.collection('outbox');
  const originals = await outbox.find({ kind: 'ack', status: 'pending' }).toArray();
  const copies = Array.from({ length: n - originals.length }, (_, k) => {
    const o = originals[k % originals.length]!;
    return { ...o, _id: `${String(o._id)}~q${k}`, messageId: `q${k}.${String(o.messageId)}`, createdAt: new Date(), nextAttemptAt: new Date() };
  });
  for (let i = 0; i < copies.length; i += 500) await outbox.insertMany(copies.slice(i, i + 500) as never[]);
  await quiet.stop();

  const config = loadConfig({ env: {
    ...env, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_TLS: 'false', OUTBOX_CONCURRENCY: String(concurrency), SMTP_POOL_SIZE: String(concurrency),
    OUTBOX_POLL_INTERVAL_MS: '200',
  } });
  await monitorCommandsIfAsked();
  const gw = await createGateway(config, db.uri, createLogger('error'));
  const times = commandTimes(gw.conn.getClient());
  const profile = await profileIfAsked();
  const c0 = process.cpuUsage(); const t0 = performance.now(); const cmd0 = await db.commands(); const d0 = ferretDbCpuMs();
  await gw.start({ listen: false });
  const live = gw.conn.db!.collection('outbox');
  await until(() => received >= n, 600_000, 10);
  const sentMs = performance.now() - t0;
  await until(async () => (await live.countDocuments({})) === 0, 120_000, 1000);
  const c = process.cpuUsage(c0); const wall = performance.now() - t0; const cmds = ((await db.commands())! - cmd0!) / n; const dbMs = (ferretDbCpuMs() - d0) / n;
  await profile.stop();
  for (const line of times.lines(n, 'mail')) print(line);
  print(`${n} mails, ${concurrency} in flight: CPU ${((c.user + c.system) / 1000 / n).toFixed(2)} ms/mail (user ${(c.user / 1000 / n).toFixed(2)}), `
    + `${(n / sentMs * 1000).toFixed(1)} mails/s to the peer, all recorded after ${(wall / 1000).toFixed(1)} s, ${cmds.toFixed(2)} db cmds/mail, FerretDB CPU ${dbMs.toFixed(1)} ms/mail`);
  await gw.stop();
  peer.kill();
  await db.stop();
  process.exit(0);
}
