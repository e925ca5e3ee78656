/**
 * `npm run bench`: the gateway against the raw parts it is built from, side by side in one run, on
 * one database, at the same concurrency (issue 12). Starts everything it needs itself; writes
 * bench/results/<timestamp>.json and .md, and (full runs) the table into the README.
 *
 *   npm run bench                     full sizes (2,000 mails per email variant, ...)
 *   npm run bench -- --quick          small sizes, under two minutes
 *   npm run bench -- --profile        also CPU-profile the gateway (node --cpu-prof) and list where time goes
 *   npm run bench -- --only=email,outbox,chat,webform,idle   a subset (outbox alone queues copies of a few acknowledgements)
 *   npm run bench -- --outbox-concurrency=N   sends in flight for the outbox (gateway and baseline alike; default 4)
 *   npm run bench -- --mails=500      mails per email variant (LMTP x1, LMTP x4, IMAP) and queued acks, instead of 2,000
 *   npm run bench -- --imap-mails=N --pipe=N --sample=N --stored=N --sockets=N   one size each
 *   npm run bench -- --readme         also write a quick run's table into the README
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/machine.ts';
import { summarizeProfiles } from './lib/profile.ts';
import { updateReadme, writeResults, type RunReport } from './lib/report.ts';
import type { ScenarioResult } from './lib/result.ts';
import { startBench } from './lib/servers.ts';
import { chatScenario } from './scenarios/chat.ts';
import { emailScenario } from './scenarios/email.ts';
import { idleScenario } from './scenarios/idle.ts';
import { outboxGatewayEnv, outboxScenario, seedQueuedAcks, trimQueuedAcks } from './scenarios/outbox.ts';
import { storedLatencyScenario } from './scenarios/stored-latency.ts';
import { webformScenario } from './scenarios/webform.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = flag('quick');
const only = new Set((option('only') ?? 'email,stored,outbox,chat,webform,idle').split(','));

const SIZES = quick
  ? { lmtpMails: 12, imapMails: 6, pipeMails: 1, outbox: 20, latencySample: 5, stored: 100, chatVisitors: 20, chatRates: [2, 5], chatStepSeconds: 3, webformSeconds: 5, webformConnections: 10, idleSockets: 300, timeoutMs: 120_000 }
  : { lmtpMails: 2000, imapMails: 2000, pipeMails: 20, outbox: 2000, latencySample: 100, stored: 5000, chatVisitors: 500, chatRates: [2, 5, 10, 25, 50, 100], chatStepSeconds: 15, webformSeconds: 20, webformConnections: 10, idleSockets: 5000, timeoutMs: 3_600_000 };
if (option('mails')) SIZES.lmtpMails = SIZES.imapMails = SIZES.outbox = Number(option('mails'));
if (option('imap-mails')) SIZES.imapMails = Number(option('imap-mails'));
if (option('pipe')) SIZES.pipeMails = Number(option('pipe'));
if (option('sample')) SIZES.latencySample = Number(option('sample'));
if (option('chat-step')) SIZES.chatStepSeconds = Number(option('chat-step'));
if (option('chat-visitors')) SIZES.chatVisitors = Number(option('chat-visitors'));
if (option('chat-rates')) SIZES.chatRates = option('chat-rates')!.split(',').map(Number);
if (option('stored')) SIZES.stored = Number(option('stored'));
if (option('sockets')) SIZES.idleSockets = Number(option('sockets'));
const outboxConcurrency = Number(option('outbox-concurrency') ?? 4);

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const machine = machineInfo();
  const profileDir = flag('profile') ? mkdtempSync(join(tmpdir(), 'helpdesk-bench-prof-')) : undefined;
  const bench = await startBench(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  log(`database ${bench.db.description} at ${bench.db.uri}; Dovecot, SMTP peer up`);
  const results: ScenarioResult[] = [];
  const notes: string[] = [];
  const report = (profile?: string[]): RunReport => ({
    startedAt, finishedAt: new Date().toISOString(), mode: quick ? 'quick' : 'full',
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
    machine, loadAverageAtEnd: machineInfo().loadAverage, database: bench.db.description,
    measurements: results.flatMap((r) => r.measurements), targets: results.flatMap((r) => r.targets),
    notes: [...notes, ...results.flatMap((r) => r.notes)],
    ...(profile ? { profile } : {}),
    sizes: { ...SIZES, outboxConcurrency },
  });
  // After every scenario: a run stopped half-way still leaves what it measured.
  const push = (r: ScenarioResult) => { results.push(r); writeResults(ROOT, report()); };
  const runTag = `b${Date.now().toString(36)}`;
  try {
    // Scenario 1 runs without SMTP, so its acknowledgements wait in the outbox for scenario 2.
    let gateway = await bench.startGateway({ smtp: false });
    log(`gateway pid ${gateway.pid} up (no SMTP: acknowledgements stay queued)`);
    if (only.has('email')) {
      log(`email: ${SIZES.lmtpMails} mails over LMTP x1 and x4, ${SIZES.imapMails} over IMAP, ${SIZES.pipeMails} through the pipe`);
      push(await emailScenario(bench, gateway, SIZES, runTag, log));
    }
    if (only.has('stored')) {
      log(`stored: latency at 0 stored mails and at ${SIZES.stored}`);
      push(await storedLatencyScenario(bench, gateway, { sample: SIZES.latencySample, stored: SIZES.stored, timeoutMs: SIZES.timeoutMs, settleMs: quick ? 5_000 : 35_000 }, runTag, log));
    }
    if (only.has('outbox') && !only.has('email')) await seedQueuedAcks(bench, gateway, SIZES.outbox, runTag);
    await gateway.stop();
    if (only.has('outbox')) {
      const queued = await trimQueuedAcks(bench, SIZES.outbox);
      log(`outbox: ${queued} queued acknowledgements, gateway now with SMTP, ${outboxConcurrency} in flight`);
      const out = await outboxScenario(bench, () => bench.startGateway({ env: outboxGatewayEnv(outboxConcurrency) }), queued, outboxConcurrency, SIZES.timeoutMs);
      push(out.result);
      gateway = out.gateway;
    } else {
      gateway = await bench.startGateway();
    }
    if (only.has('webform')) {
      log(`webform: autocannon ${SIZES.webformSeconds} s per side`);
      push(await webformScenario(bench, gateway, { seconds: SIZES.webformSeconds, connections: SIZES.webformConnections }));
    }
    if (only.has('chat')) {
      log(`chat: ${SIZES.chatVisitors} visitor sockets, offered ${SIZES.chatRates.join('/')} msg/s`);
      push(await chatScenario(bench, gateway, { visitors: SIZES.chatVisitors, rates: SIZES.chatRates, stepSeconds: SIZES.chatStepSeconds }, log));
    }
    if (only.has('idle')) {
      // A fresh gateway, as the baseline is a fresh process: what the web form and chat steps left
      // on the heap is not memory an idle socket holds (it made the ratio 2.95x after them, 1.73x alone).
      if (only.has('webform') || only.has('chat')) {
        await gateway.stop();
        gateway = await bench.startGateway();
      }
      log(`idle: ${SIZES.idleSockets} idle visitor sockets (gateway pid ${gateway.pid})`);
      push(await idleScenario(bench, gateway, SIZES.idleSockets, log));
    }
    await gateway.stop();
  } finally {
    await bench.dispose();
  }
  const profile = profileDir ? summarizeProfiles(profileDir, ROOT) : undefined;
  const final = report(profile);
  const files = writeResults(ROOT, final);
  log(`results: ${files.json}, ${files.md} (${Math.round((Date.now() - Date.parse(startedAt)) / 1000)} s)`);
  if (!quick || flag('readme')) {
    log(updateReadme(ROOT, final, relative(ROOT, files.md)) ? 'README performance table updated' : 'README has no bench markers: not updated');
  }
  for (const t of final.targets) log(`${t.met ? 'MET   ' : 'MISSED'} ${t.scenario}: ${t.target} (${t.measured})`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
