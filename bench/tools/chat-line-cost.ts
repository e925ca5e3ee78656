/**
 * What one chat line costs the gateway, in process, over real sockets: the gateway (createGateway,
 * listening on loopback) on a FerretDB of its own, one agent socket and `visitors` visitor sockets;
 * each visitor sends one line (opening a ticket), then each sends a second (a next line). Lines go one
 * at a time, so a line's wall time from the visitor's emit to the agent's receipt is its awaited
 * round trips in series plus the gateway's CPU, with no queueing. Per phase: p50/p99 of that time,
 * gateway CPU (every thread) and FerretDB CPU per line, database commands per line.
 *   npx tsx bench/tools/chat-line-cost.ts [visitors=50]
 * TIMES=1: per command (`insert chat_lines`, ...) how many per line and how long they took.
 * PROFILE=<file.cpuprofile>: CPU-profiles the main thread during the phases only (node:inspector).
 * A tool for finding where time goes; `npm run bench` is the measurement of record.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../../config/index.ts';
import { VisitorTokens } from '../../channels/chat/visitor-token.ts';
import { createGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { startBenchDatabase } from '../lib/database.ts';
import { commandTimes, ferretDbCpuMs, monitorCommandsIfAsked, profileIfAsked } from '../lib/probe.ts';
import { summarize } from '../lib/stats.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);
const visitors = Number(process.argv[2] ?? 50);
const SECRET = 'bench-secret-0123456789abcdef';
const ADMIN = 'bench-admin-token-0123456789';
const SITE = { key: 'bench', origins: ['https://shop.example'], identitySecret: 'bench-identity-secret-0123456789' };

const db = await startBenchDatabase();
const config = loadConfig({ env: {
  NODE_ENV: 'production', LOG_LEVEL: 'error', PORT: '0', HOST: '127.0.0.1', HELPDESK_DATA_DIR: mkdtempSync(join(tmpdir(), 'chat-line-cost-')),
  MONGODB_URI: db.uri, HELPDESK_DB_NAME: `clc_${Date.now()}`, HELPDESK_SECRET: SECRET, ADMIN_TOKEN: ADMIN,
  SUPPORT_ADDRESS: 'support@helpdesk.test', PUBLIC_URL: 'http://127.0.0.1', CHAT_SITES: JSON.stringify([SITE]),
  CHAT_SOCKET_RATE_POINTS: '1000000000', CHAT_VISITOR_RATE_POINTS: '1000000000',
} });
await monitorCommandsIfAsked();
const gw = await createGateway(config, db.uri, createLogger('error'));
await gw.start();
const base = `http://127.0.0.1:${gw.httpPort()}`;
const times = commandTimes(gw.conn.getClient());

const connect = (path: string, auth: Record<string, unknown>) => new Promise<Socket>((resolve, reject) => {
  const s = io(`${base}${path}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: SITE.origins[0]! } });
  s.once('connect', () => resolve(s));
  s.once('connect_error', reject);
});
const tokens = new VisitorTokens(SECRET);
const agent = await connect('/agents', { token: ADMIN, name: 'Probe Agent' });
const sockets: Socket[] = [];
for (let i = 0; i < visitors + 1; i++) sockets.push(await connect('/chat', { visitorToken: tokens.sign({ visitorId: VisitorTokens.newVisitorId(), siteKey: SITE.key }) }));
const waiting = new Map<string, () => void>();
agent.on('message', (m: { text?: string }) => waiting.get(m.text ?? '')?.());

/** Sends one line and resolves with the ms until the agent had it (the ack must say stored too). */
async function line(socket: Socket, id: string): Promise<number> {
  const text = `Probe line [${id}]`;
  const seen = new Promise<void>((resolve) => waiting.set(text, resolve));
  const t0 = performance.now();
  const ack = socket.emitWithAck('message:send', { clientId: id, text }) as Promise<{ ok?: boolean }>;
  await seen;
  const ms = performance.now() - t0;
  if (!(await ack).ok) throw new Error(`line ${id} not stored`);
  waiting.delete(text);
  return ms;
}

// The spare visitor warms what is kept per process (rules, knowledge base index, compiled paths).
await line(sockets[visitors]!, 'warm-1');
await line(sockets[visitors]!, 'warm-2');
await gw.sla.tracker.idle();
const profile = await profileIfAsked();
for (const phase of ['opening', 'next']) {
  const c0 = process.cpuUsage(); const cmd0 = await db.commands(); const d0 = ferretDbCpuMs();
  times.clear();
  const ms: number[] = [];
  for (let i = 0; i < visitors; i++) ms.push(await line(sockets[i]!, `${phase}-${i}`));
  await gw.sla.tracker.idle();
  const c = process.cpuUsage(c0); const cmds = ((await db.commands())! - cmd0!) / visitors;
  const s = summarize(ms);
  if (process.env.TIMES) {
    for (const line of times.lines(visitors, 'line')) print(line);
  }
  print(`${phase} lines: ${visitors}, visitor-to-agent p50 ${s.p50} ms p99 ${s.p99} ms, gateway CPU ${((c.user + c.system) / 1000 / visitors).toFixed(1)} ms/line, `
    + `FerretDB CPU ${((ferretDbCpuMs() - d0) / visitors).toFixed(1)} ms/line, ${cmds.toFixed(1)} db cmds/line`);
}
await profile.stop();
for (const s of [...sockets, agent]) s.close();
await gw.stop();
await db.stop();
process.exit(0);
