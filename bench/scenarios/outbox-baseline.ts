/**
 * The outbox scenario's baseline as a process of its own (like the gateway, so its CPU is its own
 * and it does not share an event loop with the SMTP peer): nodemailer sends the given messages
 * (envelope and raw bytes) to the peer with the same concurrency and connection pooling as the
 * gateway's sender, and prints its time, per-mail latencies, CPU and peak RSS as JSON.
 *   outbox-baseline.ts <host> <port> <messages.json> <concurrency>
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { runPool } from '../lib/stats.ts';

const [host, port, file, concurrencyArg] = process.argv.slice(2);
const concurrency = Math.max(1, Number(concurrencyArg ?? 1));
const messages = JSON.parse(readFileSync(file!, 'utf8')) as { from: string; to: string[]; raw: string }[];
const transport = nodemailer.createTransport({
  host, port: Number(port), secure: false, ignoreTLS: true, pool: true, maxConnections: concurrency, maxMessages: 100,
});
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const latencies = await runPool(messages.length, concurrency, async (i) => {
  const m = messages[i]!;
  await transport.sendMail({ envelope: { from: m.from || false, to: m.to }, raw: Buffer.from(m.raw, 'base64') });
});
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
transport.close();
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
process.stdout.write(`${JSON.stringify({ seconds, latencies, cpuMs: Math.round((cpu.user + cpu.system) / 1000), peakRssMb })}\n`);
