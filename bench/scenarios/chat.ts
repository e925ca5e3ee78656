/**
 * Scenario 3, chat: visitor sockets sending messages that an agent socket receives; the gateway
 * acknowledges a message only once it is stored. Offered load steps up (messages per second spread
 * over the visitors); at each step, visitor-to-agent latency and stored (acknowledged) messages per
 * second. Baseline: a bare socket.io server relaying /chat to /agents (its own process), same steps.
 */
import { io, type Socket } from 'socket.io-client';
import { startBaselineServer } from '../lib/baseline-process.ts';
import { measureProcess } from '../lib/proc-usage.ts';
import { round, type Measurement, type ScenarioResult } from '../lib/result.ts';
import { VisitorTokens } from '../../channels/chat/visitor-token.ts';
import { ADMIN_TOKEN, CHAT_SITE, SECRET, type Bench, type RunningGateway } from '../lib/servers.ts';
import { sleep, summarize } from '../lib/stats.ts';

const SCENARIO = 'Chat';
const ORIGIN = CHAT_SITE.origins[0]!;

/**
 * Visitor tokens signed here with the gateway's secret, as POST /api/v1/chat/visitors would sign
 * them (that route only signs; thousands of HTTP calls would measure the load generator).
 */
export function issueTokens(count: number): string[] {
  const tokens = new VisitorTokens(SECRET);
  return Array.from({ length: count }, () => tokens.sign({ visitorId: VisitorTokens.newVisitorId(), siteKey: CHAT_SITE.key }));
}

export function connectSocket(url: string, auth: Record<string, unknown>, origin = ORIGIN): Promise<Socket> {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin }, timeout: 60_000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => { socket.close(); reject(err); });
  });
}

/** Connects `count` sockets, 50 at a time. */
export async function connectMany(count: number, open: (i: number) => Promise<Socket>): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 50) sockets.push(...await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j))));
  return sockets;
}

interface StepResult {
  rate: number; offered: number; stored: number; failed: number; latencies: number[]; storedPerSecond: number; sustained: boolean;
  /** Latencies of the lines that were their visitor's first (each opens a ticket on the gateway) and of the later ones. */
  opening: number[]; next: number[];
  /** The measured process over this step alone. */
  cpuMs: number; peakRssMb: number;
}

/** Runs the steps in order; with `stopWhenBehind`, stops after the first step not sustained (the backlog would only grow). */
async function runSteps(visitors: Socket[], agent: Socket, rates: number[], stepSeconds: number, tag: string, pid: number, stopWhenBehind = false): Promise<StepResult[]> {
  const sentAt = new Map<string, number>();
  const arrived = new Map<string, number>();
  agent.on('message', (m: { text?: string }) => {
    const id = /\[(\S+)\]$/.exec(m.text ?? '')?.[1];
    if (id && sentAt.has(id)) arrived.set(id, performance.now() - sentAt.get(id)!);
  });
  const results: StepResult[] = [];
  const spoke = new Set<Socket>();
  const opening = new Set<string>();
  let n = 0;
  for (const rate of rates) {
    const probe = measureProcess(pid);
    const ids: string[] = [];
    let stored = 0;
    let failed = 0;
    const acks: Promise<void>[] = [];
    const t0 = performance.now();
    const total = Math.round(rate * stepSeconds);
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const id = `${tag}-${n}`;
      const visitor = visitors[n % visitors.length]!;
      n++;
      ids.push(id);
      if (!spoke.has(visitor)) { spoke.add(visitor); opening.add(id); }
      sentAt.set(id, performance.now());
      acks.push(visitor.timeout(60_000).emitWithAck('message:send', { clientId: id, text: `Bench chat line [${id}]` }).then(
        (ack: { ok?: boolean }) => { if (ack?.ok) stored++; else failed++; },
        () => { failed++; },
      ));
    }
    await Promise.all(acks);
    const elapsed = (performance.now() - t0) / 1000;
    await sleep(500);
    const usage = probe.stop();
    const latencyOf = (list: string[]) => list.map((id) => arrived.get(id)).filter((l): l is number => l !== undefined);
    const latencies = latencyOf(ids);
    // Sustained: everything stored and delivered, and the step took at most 10% longer than offered.
    const sustained = failed === 0 && latencies.length === total && elapsed <= stepSeconds * 1.1;
    results.push({
      rate, offered: total, stored, failed, latencies, storedPerSecond: round(stored / elapsed), sustained, ...usage,
      opening: latencyOf(ids.filter((id) => opening.has(id))), next: latencyOf(ids.filter((id) => !opening.has(id))),
    });
    if (stopWhenBehind && !sustained) break;
  }
  agent.off('message');
  return results;
}

export async function chatScenario(bench: Bench, gateway: RunningGateway, opts: { visitors: number; rates: number[]; stepSeconds: number }, log: (l: string) => void): Promise<ScenarioResult> {
  const measurements: Measurement[] = [];
  const sides: { side: Measurement['side']; steps: StepResult[] }[] = [];

  // Baseline first (its own process), then the gateway: same visitors, same steps.
  const baseline = await startBaselineServer(['chat']);
  {
    const url = `http://127.0.0.1:${baseline.port}`;
    const agent = await connectSocket(`${url}/agents`, {});
    const visitors = await connectMany(opts.visitors, () => connectSocket(`${url}/chat`, {}));
    const steps = await runSteps(visitors, agent, opts.rates, opts.stepSeconds, 'base', baseline.pid);
    sides.push({ side: 'baseline', steps });
    for (const s of [...visitors, agent]) s.close();
    await baseline.stop();
  }
  {
    const tokens = issueTokens(opts.visitors);
    const agent = await connectSocket(`${gateway.base}/agents`, { token: ADMIN_TOKEN, name: 'Bench Agent' });
    const visitors = await connectMany(opts.visitors, (i) => connectSocket(`${gateway.base}/chat`, { visitorToken: tokens[i] }));
    log(`chat: ${visitors.length} visitors and one agent connected to the gateway`);
    const steps = await runSteps(visitors, agent, opts.rates, opts.stepSeconds, `gw${Date.now().toString(36)}`, gateway.pid, true);
    sides.push({ side: 'gateway', steps });
    for (const s of [...visitors, agent]) s.close();
  }
  for (let i = 0; i < opts.rates.length; i++) {
    for (const { side, steps } of sides) {
      const s = steps[i];
      if (!s) continue;
      measurements.push({
        scenario: SCENARIO, variant: `${opts.visitors} visitors, offered ${s.rate} msg/s`, side, count: s.stored, seconds: opts.stepSeconds,
        throughput: s.storedPerSecond, unit: 'stored msg/s', latencyMs: summarize(s.latencies),
        cpuMs: s.cpuMs, peakRssMb: s.peakRssMb,
        extra: {
          offered: s.offered, failed: s.failed, delivered: s.latencies.length, sustained: String(s.sustained),
          openingLines: s.opening.length, openingP99Ms: summarize(s.opening).p99, nextLineP99Ms: summarize(s.next).p99,
        },
      });
    }
  }
  const gw = sides.find((s) => s.side === 'gateway')!.steps;
  const base = sides.find((s) => s.side === 'baseline')!.steps;
  const best = [...gw].reverse().find((s) => s.sustained);
  const first = 0;
  const p99 = (s: StepResult) => summarize(s.latencies).p99;
  const ratio = p99(gw[first]!) / p99(base[first]!);
  return {
    measurements,
    targets: [{
      scenario: SCENARIO, target: `p99 visitor-to-agent latency <= 3x bare socket.io at ${gw[first]!.rate} msg/s offered`,
      measured: `${round(ratio, 1)}x (${p99(gw[first]!)} vs ${p99(base[first]!)} ms)`, met: ratio <= 3 && gw[first]!.sustained,
    }],
    notes: [
      `Chat: the gateway's steps stop after the first one it could not sustain (${gw.length} of ${opts.rates.length} offered rates run).`,
      `Chat: highest sustained stored rate (every message acknowledged as stored and seen by the agent, step within 10% of its time): ${best ? `${best.storedPerSecond} msg/s at ${best.rate} offered` : 'none of the offered rates'}. CPU per message and peak RSS are each step's own.`,
      'Chat: one gateway process, no REDIS_URL (rooms in memory); rate limits raised out of reach (CHAT_SOCKET_RATE_POINTS, CHAT_VISITOR_RATE_POINTS).',
      `Chat: messages go to the visitors in turn, so a visitor's first message (which opens a ticket on the gateway) is most of a low step: ${gw.map((s) => `${s.rate} msg/s: ${s.opening.length} of ${s.offered} opening, ${s.opening.length ? `p99 ${summarize(s.opening).p99} ms opening` : 'no opening line'} / ${s.next.length ? `${summarize(s.next).p99} ms next` : 'no later line'}`).join('; ')}.`,
    ],
  };
}
