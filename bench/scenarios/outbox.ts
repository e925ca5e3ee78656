/**
 * Scenario 2, the outbox: acknowledgements queued by scenario 1 (the gateway ran without SMTP) are
 * sent to the SMTP peer by a gateway started with SMTP; baseline: nodemailer sending the very same
 * messages (the bytes the peer received from the gateway) directly to the same peer, in a process
 * of its own (as the gateway is), with the same concurrency and connection pooling as the
 * gateway's sender (`OUTBOX_CONCURRENCY`, `SMTP_POOL_SIZE`).
 *
 * Run alone (`--only=outbox`), nothing was queued by scenario 1: a few mails are ingested over LMTP
 * and their acknowledgements copied (fresh ids and Message-IDs) up to the count asked for.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchMail } from '../lib/corpus.ts';
import { measured } from '../lib/phase.ts';
import { round, type Measurement, type ScenarioResult } from '../lib/result.ts';
import type { Bench, RunningGateway } from '../lib/servers.ts';
import { summarize, until } from '../lib/stats.ts';
import { lmtpLoad } from './email.ts';

const SCENARIO = 'Outbox';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The gateway's settings for sends in flight and SMTP connections; the baseline uses the same. */
export const outboxGatewayEnv = (concurrency: number) => ({ OUTBOX_CONCURRENCY: String(concurrency), SMTP_POOL_SIZE: String(concurrency) });

/** Keeps `keep` pending acknowledgements (the oldest) and drops the rest, so the count is the one asked for. */
export async function trimQueuedAcks(bench: Bench, keep: number): Promise<number> {
  const outbox = bench.conn.db!.collection('outbox');
  const surplus = await outbox.find({ kind: 'ack', status: 'pending' }, { projection: { _id: 1 } }).sort({ createdAt: 1 }).skip(keep).toArray();
  if (surplus.length) await outbox.deleteMany({ _id: { $in: surplus.map((d) => d._id) } });
  return outbox.countDocuments({ kind: 'ack', status: 'pending' });
}

/**
 * Tops the queue up to `want` pending acknowledgements when scenario 1 did not run: ingests a few
 * mails through `gateway` (no SMTP) and copies their acknowledgements with fresh ids and Message-IDs.
 */
export async function seedQueuedAcks(bench: Bench, gateway: RunningGateway, want: number, runTag: string): Promise<void> {
  const outbox = bench.conn.db!.collection('outbox');
  let originals = await outbox.find({ kind: 'ack', status: 'pending' }).toArray();
  if (originals.length >= want) return;
  if (!originals.length) {
    const mails = Array.from({ length: Math.min(5, want) }, (_, i) => benchMail(`${runTag}ob`, i));
    await lmtpLoad(gateway, mails, 1);
    await until(async () => (await outbox.countDocuments({ kind: 'ack', status: 'pending' })) >= mails.length, 60_000, 100);
    originals = await outbox.find({ kind: 'ack', status: 'pending' }).toArray();
  }
  const copies = [];
  for (let k = 0; originals.length + copies.length < want; k++) {
    const o = originals[k % originals.length]!;
    const n = Math.floor(k / originals.length) + 1;
    copies.push({ ...o, _id: `${String(o._id)}~q${n}`, messageId: `q${n}.${String(o.messageId)}`, createdAt: new Date(), nextAttemptAt: new Date() });
  }
  for (let i = 0; i < copies.length; i += 500) await outbox.insertMany(copies.slice(i, i + 500) as never[]);
}

/** The baseline process: nodemailer, the same messages, the same concurrency and pooling. */
async function baseline(bench: Bench, concurrency: number, sent: { envelope: { from: string; to: string[] }; raw: Buffer }[]): Promise<{ seconds: number; latencies: number[]; cpuMs: number; peakRssMb: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-outbox-'));
  const file = join(dir, 'messages.json');
  writeFileSync(file, JSON.stringify(sent.map((m) => ({ from: m.envelope.from, to: m.envelope.to, raw: m.raw.toString('base64') }))));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scenarios/outbox-baseline.ts', bench.sink.host, String(bench.sink.port), file, String(concurrency)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`outbox baseline exited with ${code}`);
    return JSON.parse(out.trim().split('\n').at(-1)!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function outboxScenario(bench: Bench, startGateway: () => Promise<RunningGateway>, queued: number, concurrency: number, timeoutMs: number): Promise<{ result: ScenarioResult; gateway: RunningGateway }> {
  const sinkBefore = bench.sink.messages.length;
  const t0 = Date.now();
  // The gateway sends as soon as it is up: measure from then to the last acknowledgement at the peer.
  const gateway = await startGateway();
  const started = Date.now();
  const gw = await measured(bench.db, gateway.pid, 0, async () => {
    const ok = await until(() => bench.sink.messages.length - sinkBefore >= queued, timeoutMs, 50);
    if (!ok) throw new Error(`outbox: ${bench.sink.messages.length - sinkBefore} of ${queued} acknowledgements reached the peer in ${timeoutMs} ms`);
  });
  const sent = bench.sink.messages.slice(sinkBefore, sinkBefore + queued);
  const seconds = (sent.at(-1)!.receivedAt - started) / 1000;
  const gaps = sent.map((m, i) => m.receivedAt - (i ? sent[i - 1]!.receivedAt : started));

  const base = await baseline(bench, concurrency, sent);
  const variant = `${queued} queued acknowledgements to the SMTP peer, ${concurrency} in flight`;
  const measurements: Measurement[] = [
    { scenario: SCENARIO, variant, side: 'baseline', count: sent.length, seconds: round(base.seconds), throughput: round(sent.length / base.seconds), unit: 'mails/s', latencyMs: summarize(base.latencies), cpuMs: base.cpuMs, peakRssMb: base.peakRssMb },
    { scenario: SCENARIO, variant, side: 'gateway', count: sent.length, seconds: round(seconds), throughput: round(sent.length / seconds), unit: 'mails/s', latencyMs: summarize(gaps), cpuMs: gw.usage.cpuMs, peakRssMb: gw.usage.peakRssMb, ...(gw.usage.dbCommands !== undefined ? { dbCommandsPerItem: round(gw.usage.dbCommands / sent.length, 1) } : {}) },
  ];
  const ratio = measurements[1]!.throughput / measurements[0]!.throughput;
  return {
    gateway,
    result: {
      measurements,
      targets: [{ scenario: SCENARIO, target: 'sent/s >= 70% of nodemailer direct', measured: `${round(ratio * 100, 1)}% (${measurements[1]!.throughput} vs ${measurements[0]!.throughput} mails/s)`, met: ratio >= 0.7 }],
      notes: [`Outbox: both sides send with ${concurrency} in flight over a pool of as many SMTP connections; the baseline is a process of its own (nodemailer, the bytes the peer received from the gateway). The gateway's latency column is the gap between consecutive deliveries at the peer; its time runs from the moment it was up (start-up took ${round((started - t0) / 1000, 1)} s) to the last delivery; its database commands per acknowledgement include its idle background.`],
    },
  };
}
