/**
 * Scenario 5, idle connections: the gateway's RSS growth per idle visitor socket, against a bare
 * socket.io server (its own process) holding the same number of idle sockets.
 */
import { startBaselineServer } from '../lib/baseline-process.ts';
import { rssMb } from '../lib/proc-usage.ts';
import { round, type Measurement, type ScenarioResult } from '../lib/result.ts';
import type { Bench, RunningGateway } from '../lib/servers.ts';
import { sleep } from '../lib/stats.ts';
import { connectMany, connectSocket, issueTokens } from './chat.ts';

const SCENARIO = 'Idle sockets';

/** Mean of 10 RSS samples over 2 s: one sample lands before or after a GC by chance. */
async function settledRss(pid: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < 10; i++) { sum += rssMb(pid); await sleep(200); }
  return sum / 10;
}

async function perSocketKb(pid: number, count: number, open: (i: number) => Promise<import('socket.io-client').Socket>): Promise<{ kb: number; before: number; after: number; seconds: number }> {
  await sleep(2000);
  const before = await settledRss(pid);
  const t0 = performance.now();
  const sockets = await connectMany(count, open);
  const seconds = (performance.now() - t0) / 1000;
  await sleep(3000);
  const after = await settledRss(pid);
  for (const s of sockets) s.close();
  return { kb: ((after - before) * 1024) / count, before, after, seconds };
}

export async function idleScenario(bench: Bench, gateway: RunningGateway, count: number, log: (l: string) => void): Promise<ScenarioResult> {
  const baseline = await startBaselineServer(['chat']);
  const base = await perSocketKb(baseline.pid, count, () => connectSocket(`http://127.0.0.1:${baseline.port}/chat`, {}));
  await baseline.stop();
  const tokens = issueTokens(count);
  log(`idle: ${tokens.length} visitor tokens issued`);
  const gw = await perSocketKb(gateway.pid, count, (i) => connectSocket(`${gateway.base}/chat`, { visitorToken: tokens[i] }));
  const row = (side: Measurement['side'], r: typeof base): Measurement => ({
    scenario: SCENARIO, variant: `${count} idle visitor sockets`, side, count, seconds: round(r.seconds), throughput: round(count / r.seconds), unit: 'connects/s',
    peakRssMb: round(r.after, 1), extra: { rssBeforeMb: round(r.before, 1), rssAfterMb: round(r.after, 1), kbPerSocket: round(r.kb, 1) },
  });
  const ratio = gw.kb / base.kb;
  // At small counts either side's growth can drown in GC noise (even come out negative on a fresh
  // process); a ratio over noise is no verdict.
  const measurable = base.kb > 1 && gw.kb > 1;
  return {
    measurements: [row('baseline', base), row('gateway', gw)],
    targets: [{ scenario: SCENARIO, target: 'RSS per idle visitor socket <= 2x bare socket.io', measured: measurable ? `${round(ratio, 2)}x (${round(gw.kb, 1)} vs ${round(base.kb, 1)} KB per socket)` : `not measurable at ${count} sockets (baseline grew ${round(base.kb, 1)}, gateway ${round(gw.kb, 1)} KB per socket)`, met: measurable && ratio <= 2 }],
    notes: ['Idle sockets: RSS (mean of 10 samples) 3 s after the last connect minus RSS before, per socket (no forced GC: what the process really holds); throughput column is connects per second.'],
  };
}
