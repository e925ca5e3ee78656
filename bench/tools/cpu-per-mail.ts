/**
 * Gateway CPU per mail, in process, without the bench's transports: the gateway (createGateway, not
 * listening) on a FerretDB of its own, bench mails handed to the email channel's intake, phase after
 * phase on the same growing database; per phase the process CPU (every thread) and FerretDB's CPU
 * per mail, commands per mail, and CPU per thread (main, V8's GC helpers, the parse workers).
 *   npx tsx bench/tools/cpu-per-mail.ts [mails per phase=100] [concurrency per phase=1,4]
 * TIMES=1: per command (`update messages`, ...) how many per mail and how long they took.
 * PROFILE=<file.cpuprofile>: CPU-profiles the main thread during the phases only (node:inspector).
 * IDLE=<s>: first measures the gateway idle for that long (pollers, leases).
 * A tool for finding where time goes; `npm run bench` is the measurement of record.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { benchMail } from '../lib/corpus.ts';
import { startBenchDatabase } from '../lib/database.ts';
import { commandTimes, ferretDbCpuMs, monitorCommandsIfAsked, profileIfAsked } from '../lib/probe.ts';
import { runPool } from '../lib/stats.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);
const n = Number(process.argv[2] ?? 100);
const concs = (process.argv[3] ?? '1,4').split(',').map(Number);
/** CPU ms per thread of this process (tid -> name and ms). */
function threadsCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${tid} ${name}`, (Number(f[11]) + Number(f[12])) * 10);
    } catch { /* gone */ }
  }
  return out;
}
const db = await startBenchDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'cpu-per-mail-'));
const config = loadConfig({ env: {
  NODE_ENV: 'production', LOG_LEVEL: 'error', PORT: '0', HELPDESK_DATA_DIR: dataDir, MONGODB_URI: db.uri, HELPDESK_DB_NAME: `cpm_${Date.now()}`,
  HELPDESK_SECRET: 'bench-secret-0123456789abcdef', ADMIN_TOKEN: 'bench-admin-token-0123456789', SUPPORT_ADDRESS: 'support@helpdesk.test',
  PUBLIC_URL: 'http://127.0.0.1', GLOBAL_BREAKER_LIMIT: '10000000', ACK_PER_DOMAIN_LIMIT: '10000000', ACK_PER_SENDER_LIMIT: '10000000',
} });
// Through createGateway, as the gateway runs; with TIMES the connection monitors commands (one option more).
await monitorCommandsIfAsked();
const gw = await createGateway(config, db.uri, createLogger('error'));
await gw.start({ listen: false });
// Per command label: count and total duration, printed per phase (TIMES=1).
const times = commandTimes(gw.conn.getClient());
const intake = (raw: Buffer) => gw.channels.email.intake(raw, 'lmtp', gw.ingest);
const tag = `c${Date.now().toString(36)}`;
for (let i = 0; i < 10; i++) await intake(benchMail(`${tag}w`, i).raw);
await gw.sla.tracker.idle();
times.clear();

if (process.env.IDLE) {
  const c0 = process.cpuUsage(); const d0 = ferretDbCpuMs(); const th0 = threadsCpu();
  await new Promise((r) => setTimeout(r, Number(process.env.IDLE) * 1000));
  const c = process.cpuUsage(c0);
  const th = [...threadsCpu()].map(([k, v]) => [k, (v - (th0.get(k) ?? 0))] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  print(`idle ${process.env.IDLE} s: gateway CPU ${((c.user + c.system) / 1000).toFixed(0)} ms, FerretDB ${ferretDbCpuMs() - d0} ms; threads ms: ${th.map(([k, v]) => `${k}=${v}`).join(', ')}`);
}
const profile = await profileIfAsked();

for (const [phase, conc] of concs.entries()) {
  const mails = Array.from({ length: n }, (_, i) => benchMail(`${tag}p${phase}`, i));
  const c0 = process.cpuUsage(); const t0 = performance.now(); const cmd0 = await db.commands(); const d0 = ferretDbCpuMs(); const th0 = threadsCpu();
  await runPool(n, conc, async (i) => { const r = await intake(mails[i]!.raw); if (r.outcome !== 'created') throw new Error(JSON.stringify(r)); });
  await gw.sla.tracker.idle();
  const c = process.cpuUsage(c0); const wall = performance.now() - t0; const cmds = ((await db.commands())! - cmd0!) / n; const dbMs = (ferretDbCpuMs() - d0) / n;
  const th = [...threadsCpu()].map(([k, v]) => [k, (v - (th0.get(k) ?? 0)) / n] as const).filter(([, v]) => v > 0.2).sort((a, b) => b[1] - a[1]);
  print(`  threads ms/mail: ${th.map(([k, v]) => `${k}=${v.toFixed(1)}`).join(', ')}`);
  if (process.env.TIMES) {
    for (const line of times.lines(n, 'mail')) print(line);
    times.clear();
  }
  print(`x${conc}: ${n} mails, CPU ${((c.user + c.system) / 1000 / n).toFixed(2)} ms/mail (user ${(c.user / 1000 / n).toFixed(2)}), wall ${(wall / n).toFixed(1)} ms/mail, ${(n / wall * 1000).toFixed(2)} mails/s, ${cmds.toFixed(1)} db cmds/mail, FerretDB CPU ${dbMs.toFixed(1)} ms/mail`);
}
await profile.stop();
await gw.stop();
await db.stop();
process.exit(0);
