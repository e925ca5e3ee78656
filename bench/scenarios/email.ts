/**
 * Scenario 1, email intake: real-shaped mails through the gateway's LMTP listener (1 and 4
 * connections), through IMAP (APPEND into Dovecot, the gateway consuming the mailbox) and through
 * `helpdesk pipe`, each next to its baseline (mailparser + one insertOne, same concurrency), run
 * alternately. A gateway side is done when every mail is a ticket and every acknowledgement is in
 * the outbox. The gateway runs without SMTP here, so acknowledgements stay queued (scenario 2 sends them).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import nodemailer, { type Transporter } from 'nodemailer';
import { benchMail, describeMails, plainMail, type BenchMail } from '../lib/corpus.ts';
import { idleCommandRate, measured, type PhaseUsage } from '../lib/phase.ts';
import { round, type Measurement, type ScenarioResult } from '../lib/result.ts';
import { IMAP_USER, SUPPORT, type Bench, type RunningGateway } from '../lib/servers.ts';
import { runPool, summarize, until } from '../lib/stats.ts';
import { parseAndInsert } from './email-baseline.ts';

export interface EmailSizes { lmtpMails: number; imapMails: number; pipeMails: number; timeoutMs: number }

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCENARIO = 'Email intake';

const ackCount = (bench: Bench) => bench.conn.db!.collection('outbox').countDocuments({ kind: 'ack' });

function row(variant: string, side: Measurement['side'], count: number, usage: PhaseUsage, latencies: number[], extra?: Measurement['extra']): Measurement {
  return {
    scenario: SCENARIO, variant, side, count, seconds: round(usage.seconds), throughput: round(count / usage.seconds), unit: 'mails/s',
    latencyMs: summarize(latencies), cpuMs: usage.cpuMs, peakRssMb: usage.peakRssMb,
    ...(usage.dbCommands !== undefined ? { dbCommandsPerItem: round(usage.dbCommands / count, 1) } : {}),
    ...(extra ? { extra } : {}),
  };
}

/** One LMTP delivery as an MTA does it: a 4xx or a broken connection is tried again (counted). */
async function deliver(transport: Transporter, mail: BenchMail, retries: { n: number }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const info = await transport.sendMail({ envelope: { from: mail.from, to: [SUPPORT] }, raw: mail.raw });
      if (info.accepted?.length === 1) return;
      throw new Error(`not accepted: ${info.response}`);
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if ((code && code >= 500) || attempt >= 10) throw err;
      retries.n++;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** Sends the mails over `connections` LMTP connections; latencies are each mail's whole transaction (the gateway answers once stored). */
export async function lmtpLoad(gateway: RunningGateway, mails: BenchMail[], connections: number): Promise<{ latencies: number[]; retries: number }> {
  const transports = Array.from({ length: connections }, () => nodemailer.createTransport({
    host: '127.0.0.1', port: gateway.lmtpPort, lmtp: true, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity,
    socketTimeout: 120_000,
  }));
  const retries = { n: 0 };
  const latencies = new Array<number>(mails.length);
  let next = 0;
  await Promise.all(transports.map(async (transport) => {
    for (let i = next++; i < mails.length; i = next++) {
      const t0 = performance.now();
      await deliver(transport, mails[i]!, retries);
      latencies[i] = performance.now() - t0;
    }
  }));
  for (const t of transports) t.close();
  return { latencies, retries: retries.n };
}

async function waitForAcks(bench: Bench, target: number, timeoutMs: number): Promise<void> {
  if (!(await until(async () => (await ackCount(bench)) >= target, timeoutMs, 100))) {
    throw new Error(`acknowledgements: expected ${target} in the outbox, ${await ackCount(bench)} after ${timeoutMs} ms`);
  }
}

/**
 * Issue 12's count: database commands for a plain mail, at the server, sent one at a time over LMTP
 * (the gateway answers once the mail is stored, its ticket made and its acknowledgement queued).
 * Nothing of the bench's own is sent meanwhile; the gateway's idle background is subtracted.
 */
async function plainMailCommands(bench: Bench, gateway: RunningGateway, idleRate: number, tag: string, n: number): Promise<number | undefined> {
  const mails = Array.from({ length: n }, (_, i) => plainMail(tag, i));
  const { usage } = await measured(bench.db, gateway.pid, idleRate, () => lmtpLoad(gateway, mails, 1));
  return usage.dbCommands === undefined ? undefined : round(usage.dbCommands / n, 1);
}

async function lmtpPair(bench: Bench, gateway: RunningGateway, idleRate: number, tag: string, n: number, connections: number, timeoutMs: number): Promise<Measurement[]> {
  const mails = Array.from({ length: n }, (_, i) => benchMail(tag, i));
  const variant = `LMTP, ${connections} connection${connections > 1 ? 's' : ''}`;
  const base = await measured(bench.db, undefined, 0, () => runPool(n, connections, (i) => parseAndInsert(bench.conn.db!, mails[i]!.raw)));
  const acksBefore = await ackCount(bench);
  const gw = await measured(bench.db, gateway.pid, idleRate, async () => {
    const sent = await lmtpLoad(gateway, mails, connections);
    await waitForAcks(bench, acksBefore + n, timeoutMs);
    return sent;
  });
  return [
    row(variant, 'baseline', n, base.usage, base.value),
    row(variant, 'gateway', n, gw.usage, gw.value.latencies, { retries: gw.value.retries, ...describeMails(mails) }),
  ];
}

/** Appends mails into a Dovecot mailbox over one IMAP connection; returns when each append finished. */
async function appendAll(bench: Bench, user: string, mails: BenchMail[]): Promise<number[]> {
  const client = new ImapFlow({ host: bench.dovecot.host, port: bench.dovecot.imapPort, secure: false, auth: { user, pass: bench.dovecot.password }, logger: false });
  await client.connect();
  const doneAt: number[] = [];
  try {
    for (const mail of mails) {
      await client.append('INBOX', mail.raw);
      doneAt.push(Date.now());
    }
  } finally {
    await client.logout().catch(() => {});
  }
  return doneAt;
}

/** When each mail's acknowledgement was queued (the end of its ingest), by Message-ID. */
async function ackTimes(bench: Bench, mails: BenchMail[]): Promise<Map<string, number>> {
  const ids = mails.flatMap((m) => [`<${m.messageId}>`, m.messageId]);
  const docs = await bench.conn.db!.collection('outbox').find({ kind: 'ack', inReplyTo: { $in: ids } }, { projection: { inReplyTo: 1, createdAt: 1 } }).toArray();
  return new Map(docs.map((d) => [String(d.inReplyTo).replace(/^<|>$/g, ''), new Date(d.createdAt as Date).getTime()]));
}

async function imapPair(bench: Bench, gateway: RunningGateway, idleRate: number, tag: string, n: number, timeoutMs: number): Promise<Measurement[]> {
  const mails = Array.from({ length: n }, (_, i) => benchMail(tag, i));
  const variant = 'IMAP (APPEND, gateway consuming)';
  // Baseline: the same appends into another mailbox, then one FETCH of everything, parse + insertOne each.
  const base = await measured(bench.db, undefined, 0, async () => {
    const appended = await appendAll(bench, `${IMAP_USER}base`, mails);
    const client = new ImapFlow({ host: bench.dovecot.host, port: bench.dovecot.imapPort, secure: false, auth: { user: `${IMAP_USER}base`, pass: bench.dovecot.password }, logger: false });
    await client.connect();
    const latencies: number[] = [];
    const lock = await client.getMailboxLock('INBOX');
    try {
      let i = 0;
      for await (const msg of client.fetch('1:*', { source: true })) {
        await parseAndInsert(bench.conn.db!, msg.source!);
        latencies.push(Date.now() - appended[i++]!);
      }
    } finally {
      lock.release();
      await client.logout().catch(() => {});
    }
    return latencies;
  });
  const acksBefore = await ackCount(bench);
  const gw = await measured(bench.db, gateway.pid, idleRate, async () => {
    const appended = await appendAll(bench, IMAP_USER, mails);
    await waitForAcks(bench, acksBefore + n, timeoutMs);
    const acked = await ackTimes(bench, mails);
    return mails.map((m, i) => (acked.get(m.messageId) ?? NaN) - appended[i]!).filter((l) => Number.isFinite(l));
  });
  return [row(variant, 'baseline', n, base.usage, base.value), row(variant, 'gateway', n, gw.usage, gw.value)];
}

function runBaselinePipe(bench: Bench, raw: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scenarios/pipe-baseline.ts', bench.db.uri, bench.dbName], { cwd: ROOT, stdio: ['pipe', 'ignore', 'inherit'] });
    child.once('exit', resolve);
    child.stdin.end(raw);
  });
}

async function pipePair(bench: Bench, tag: string, n: number): Promise<Measurement[]> {
  const mails = Array.from({ length: n }, (_, i) => benchMail(tag, i));
  const variant = `helpdesk pipe (${n} invocations, one at a time)`;
  const base = await measured(bench.db, undefined, 0, () => runPool(n, 1, async (i) => {
    const code = await runBaselinePipe(bench, mails[i]!.raw);
    if (code !== 0) throw new Error(`pipe baseline exited ${code}`);
  }));
  const acksBefore = await ackCount(bench);
  // CPU of the pipe processes is not measured (each is a process of its own, gone when read).
  const gw = await measured(bench.db, undefined, 0, async () => {
    const latencies = await runPool(n, 1, async (i) => {
      const { code, stderr } = await bench.pipe(mails[i]!.raw);
      if (code !== 0) throw new Error(`helpdesk pipe exited ${code}: ${stderr.slice(-500)}`);
    });
    await waitForAcks(bench, acksBefore + n, 10_000);
    return latencies;
  });
  const noCpu = (u: PhaseUsage): PhaseUsage => ({ ...u, cpuMs: NaN, peakRssMb: NaN });
  return [row(variant, 'baseline', n, noCpu(base.usage), base.value), row(variant, 'gateway', n, noCpu(gw.usage), gw.value)];
}

export async function emailScenario(bench: Bench, gateway: RunningGateway, sizes: EmailSizes, runTag: string, log: (line: string) => void = () => {}): Promise<ScenarioResult> {
  const notes: string[] = [];
  const idleRate = await idleCommandRate(bench.db);
  notes.push(`Gateway background while idle: ${round(idleRate, 1)} database commands/s (pollers, leases), subtracted from the per-mail counts.`);
  const measurements: Measurement[] = [];
  const done = (rows: Measurement[]) => {
    log(`email: ${rows[1]!.variant}: ${rows[1]!.throughput} vs ${rows[0]!.throughput} mails/s`);
    measurements.push(...rows);
  };
  done(await lmtpPair(bench, gateway, idleRate, `${runTag}l1`, sizes.lmtpMails, 1, sizes.timeoutMs));
  done(await lmtpPair(bench, gateway, idleRate, `${runTag}l4`, sizes.lmtpMails, 4, sizes.timeoutMs));
  done(await imapPair(bench, gateway, idleRate, `${runTag}im`, sizes.imapMails, sizes.timeoutMs));
  done(await pipePair(bench, `${runTag}pp`, sizes.pipeMails));

  const targets = [];
  for (let i = 0; i < measurements.length; i += 2) {
    const [base, gw] = [measurements[i]!, measurements[i + 1]!];
    if (gw.variant.startsWith('helpdesk pipe')) continue;
    const ratio = gw.throughput / base.throughput;
    targets.push({ scenario: SCENARIO, target: `${gw.variant}: throughput >= 50% of baseline`, measured: `${round(ratio * 100, 1)}% (${gw.throughput} vs ${base.throughput} mails/s)`, met: ratio >= 0.5 });
  }
  const plainCount = sizes.lmtpMails >= 100 ? 20 : 5; // --quick: a few, to stay a smoke run
  const plain = await plainMailCommands(bench, gateway, idleRate, `${runTag}pl`, plainCount);
  if (plain !== undefined) {
    targets.push({ scenario: SCENARIO, target: 'Database commands per plain mail <= 12 (issue 12; server-side count)', measured: `${plain} per mail (${plainCount} plain mails from first-time senders, LMTP, one at a time)`, met: plain <= 12 });
    notes.push(`Plain mails: ${plain} database commands each at the server (the corpus mails above, with attachments and HTML parts, cost what their DB cmds/item column says).`);
  }
  return { measurements, targets, notes };
}
