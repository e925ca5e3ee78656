/**
 * Scenario 2, the outbox: acknowledgements queued by scenario 1 (the gateway ran without SMTP) are
 * sent to the SMTP peer by a gateway started with SMTP; baseline: nodemailer sending the very same
 * messages (the bytes the peer received from the gateway) directly to the same peer, one at a time
 * on a fresh connection each, as the gateway's sender does.
 */
import nodemailer from 'nodemailer';
import { measured } from '../lib/phase.ts';
import { round, type Measurement, type ScenarioResult } from '../lib/result.ts';
import type { Bench, RunningGateway } from '../lib/servers.ts';
import { runPool, summarize, until } from '../lib/stats.ts';

const SCENARIO = 'Outbox';

/** Keeps `keep` pending acknowledgements (the oldest) and drops the rest, so the count is the one asked for. */
export async function trimQueuedAcks(bench: Bench, keep: number): Promise<number> {
  const outbox = bench.conn.db!.collection('outbox');
  const surplus = await outbox.find({ kind: 'ack', status: 'pending' }, { projection: { _id: 1 } }).sort({ createdAt: 1 }).skip(keep).toArray();
  if (surplus.length) await outbox.deleteMany({ _id: { $in: surplus.map((d) => d._id) } });
  return outbox.countDocuments({ kind: 'ack', status: 'pending' });
}

export async function outboxScenario(bench: Bench, startGateway: () => Promise<RunningGateway>, queued: number, timeoutMs: number): Promise<{ result: ScenarioResult; gateway: RunningGateway }> {
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

  const transport = nodemailer.createTransport({ host: bench.sink.host, port: bench.sink.port, secure: false, ignoreTLS: true });
  const base = await measured(bench.db, undefined, 0, () => runPool(sent.length, 1, async (i) => {
    const m = sent[i]!;
    await transport.sendMail({ envelope: { from: m.envelope.from || false, to: m.envelope.to }, raw: m.raw });
  }));
  transport.close();
  const measurements: Measurement[] = [
    { scenario: SCENARIO, variant: `${queued} queued acknowledgements to the SMTP peer`, side: 'baseline', count: sent.length, seconds: round(base.usage.seconds), throughput: round(sent.length / base.usage.seconds), unit: 'mails/s', latencyMs: summarize(base.value), cpuMs: base.usage.cpuMs, peakRssMb: base.usage.peakRssMb },
    { scenario: SCENARIO, variant: `${queued} queued acknowledgements to the SMTP peer`, side: 'gateway', count: sent.length, seconds: round(seconds), throughput: round(sent.length / seconds), unit: 'mails/s', latencyMs: summarize(gaps), cpuMs: gw.usage.cpuMs, peakRssMb: gw.usage.peakRssMb, ...(gw.usage.dbCommands !== undefined ? { dbCommandsPerItem: round(gw.usage.dbCommands / sent.length, 1) } : {}) },
  ];
  const ratio = measurements[1]!.throughput / measurements[0]!.throughput;
  return {
    gateway,
    result: {
      measurements,
      targets: [{ scenario: SCENARIO, target: 'sent/s >= 70% of nodemailer direct', measured: `${round(ratio * 100, 1)}% (${measurements[1]!.throughput} vs ${measurements[0]!.throughput} mails/s)`, met: ratio >= 0.7 }],
      notes: [`Outbox: the gateway's latency column is the gap between consecutive deliveries at the peer (per-mail service time); its time runs from the moment it was up (start-up took ${round((started - t0) / 1000, 1)} s) to the last delivery; its database commands per acknowledgement include its idle background.`],
    },
  };
}
