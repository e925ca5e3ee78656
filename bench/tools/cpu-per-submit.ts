/**
 * Gateway CPU per web form submit, in process: the gateway (createGateway, listening on loopback) on
 * a FerretDB of its own, the bench's JSON submit POSTed to /api/v1/forms/submit phase after phase
 * (one keep-alive agent, the client's own cost is in the process's CPU too: compare runs of this tool
 * with each other, not with the bench); per phase the main thread's CPU per submit, the whole
 * process's, FerretDB's, and the commands per submit.
 *   npx tsx bench/tools/cpu-per-submit.ts [submits per phase=200] [concurrency per phase=1,10]
 * TIMES=1: per command (`insert messages`, ...) how many per submit and how long they took.
 * PROFILE=<file.cpuprofile>: CPU-profiles the main thread during the phases only (node:inspector).
 * A tool for finding where time goes; `npm run bench` is the measurement of record.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { startBenchDatabase } from '../lib/database.ts';
import { commandTimes, ferretDbCpuMs, monitorCommandsIfAsked, profileIfAsked } from '../lib/probe.ts';
import { runPool } from '../lib/stats.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);
const n = Number(process.argv[2] ?? 200);
const concs = (process.argv[3] ?? '1,10').split(',').map(Number);
/** CPU ms of this process's main thread (utime + stime, clock ticks of 10 ms). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}
const db = await startBenchDatabase();
const config = loadConfig({ env: {
  NODE_ENV: 'production', LOG_LEVEL: 'error', PORT: '0', HELPDESK_DATA_DIR: mkdtempSync(join(tmpdir(), 'cpu-per-submit-')), MONGODB_URI: db.uri,
  HELPDESK_DB_NAME: `cps_${Date.now()}`, HELPDESK_SECRET: 'bench-secret-0123456789abcdef', ADMIN_TOKEN: 'bench-admin-token-0123456789',
  SUPPORT_ADDRESS: 'support@helpdesk.test', PUBLIC_URL: 'http://127.0.0.1',
  GLOBAL_BREAKER_LIMIT: '10000000', ACK_PER_DOMAIN_LIMIT: '10000000', ACK_PER_SENDER_LIMIT: '10000000',
  // As the bench runs it: rate limits out of reach, one form token for every submit.
  WEBFORM_RATE_IP_LIMIT: '1000000000', WEBFORM_RATE_ADDRESS_LIMIT: '1000000000', WEBFORM_MIN_FILL_MS: '0',
} });
await monitorCommandsIfAsked();
const gw = await createGateway(config, db.uri, createLogger('error'));
await gw.start();
const port = gw.httpPort()!;
const times = commandTimes(gw.conn.getClient());
const agent = new Agent({ keepAlive: true, maxSockets: Math.max(...concs) });
function post(path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject).end(body);
  });
}
const token = await (await fetch(`http://127.0.0.1:${port}/api/v1/forms/token`)).json() as { formToken: string };
// The bench's submit (bench/scenarios/webform.ts): the same body every time, each a new ticket.
const body = JSON.stringify({
  name: 'Bench Customer', email: 'bench.customer@customers.example.org', subject: 'Bench web form question',
  message: 'My order has not arrived yet. Could you check it, please?\n'.repeat(4), formToken: token.formToken,
});
const submit = async () => { const r = await post('/api/v1/forms/submit', body); if (r.status !== 201) throw new Error(`${r.status} ${r.text}`); };
for (let i = 0; i < 10; i++) await submit();
await gw.sla.tracker.idle();
times.clear();

const profile = await profileIfAsked();
for (const conc of concs) {
  const c0 = process.cpuUsage(); const m0 = mainThreadCpuMs(); const t0 = performance.now(); const cmd0 = await db.commands(); const d0 = ferretDbCpuMs();
  await runPool(n, conc, submit);
  await gw.sla.tracker.idle();
  const c = process.cpuUsage(c0); const wall = performance.now() - t0; const cmds = ((await db.commands())! - cmd0!) / n;
  if (process.env.TIMES) {
    for (const line of times.lines(n, 'submit')) print(line);
    times.clear();
  }
  print(`x${conc}: ${n} submits, main thread CPU ${((mainThreadCpuMs() - m0) / n).toFixed(2)} ms/submit, process ${((c.user + c.system) / 1000 / n).toFixed(2)}, wall ${(wall / n).toFixed(1)} ms/submit (${(n / wall * 1000).toFixed(1)}/s), ${cmds.toFixed(1)} db cmds/submit, FerretDB CPU ${((ferretDbCpuMs() - d0) / n).toFixed(1)} ms/submit`);
}
await profile.stop();
agent.destroy();
await gw.stop();
await db.stop();
process.exit(0);
