/**
 * Scenario 4, the web form: JSON submits with autocannon, each a new ticket, against a bare express
 * handler doing one insertOne (its own process), same connections, same duration. Rate limits are
 * set out of reach for the run (WEBFORM_RATE_IP_LIMIT, WEBFORM_RATE_ADDRESS_LIMIT; there is no "off"),
 * and WEBFORM_MIN_FILL_MS=0 lets one form token serve every request.
 */
import autocannon from 'autocannon';
import { startBaselineServer } from '../lib/baseline-process.ts';
import { measured } from '../lib/phase.ts';
import { round, type Measurement, type ScenarioResult } from '../lib/result.ts';
import type { Bench, RunningGateway } from '../lib/servers.ts';

const SCENARIO = 'Web form';

async function cannon(url: string, body: Record<string, unknown>, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url, method: 'POST', connections, duration: seconds, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function row(side: Measurement['side'], variant: string, r: autocannon.Result, usage: { cpuMs: number; peakRssMb: number; dbCommands?: number }): Measurement {
  const ok = r['2xx'];
  return {
    scenario: SCENARIO, variant, side, count: ok, seconds: r.duration, throughput: round(ok / r.duration), unit: 'req/s',
    latencyMs: { count: r.requests.total, p50: r.latency.p50, p95: NaN, p99: r.latency.p99, max: r.latency.max },
    cpuMs: usage.cpuMs, peakRssMb: usage.peakRssMb,
    ...(usage.dbCommands !== undefined && ok ? { dbCommandsPerItem: round(usage.dbCommands / ok, 1) } : {}),
    extra: { non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, p97_5: r.latency.p97_5 },
  };
}

export async function webformScenario(bench: Bench, gateway: RunningGateway, opts: { seconds: number; connections: number }): Promise<ScenarioResult> {
  const variant = `JSON submit, ${opts.connections} connections, ${opts.seconds} s`;
  const fields = { name: 'Bench Customer', email: 'bench.customer@customers.example.org', subject: 'Bench web form question', message: 'My order has not arrived yet. Could you check it, please?\n'.repeat(4) };
  const baseline = await startBaselineServer(['webform', bench.db.uri, bench.dbName]);
  const base = await measured(bench.db, baseline.pid, 0, () => cannon(`http://127.0.0.1:${baseline.port}/submit`, fields, opts.seconds, opts.connections));
  await baseline.stop();
  const token = await (await fetch(`${gateway.base}/api/v1/forms/token`)).json() as { formToken: string };
  const gw = await measured(bench.db, gateway.pid, 0, () => cannon(`${gateway.base}/api/v1/forms/submit`, { ...fields, formToken: token.formToken }, opts.seconds, opts.connections));
  const measurements = [row('baseline', variant, base.value, base.usage), row('gateway', variant, gw.value, gw.usage)];
  const ratio = measurements[1]!.throughput / measurements[0]!.throughput;
  return {
    measurements,
    targets: [{ scenario: SCENARIO, target: 'req/s >= 70% of a bare express handler with one insertOne', measured: `${round(ratio * 100, 1)}% (${measurements[1]!.throughput} vs ${measurements[0]!.throughput} req/s; ${gw.value.non2xx} non-2xx)`, met: ratio >= 0.7 && gw.value.non2xx === 0 }],
    notes: ['Web form: only 2xx answers count; the p95 column is empty (autocannon reports p90/p97.5/p99; p97.5 is in the JSON). Acknowledgements were sent by the outbox meanwhile, part of the gateway\'s cost.'],
  };
}
