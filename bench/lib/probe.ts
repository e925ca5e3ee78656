/**
 * What the in-process probes under bench/tools share (cpu-per-mail, cpu-per-send, cpu-per-submit,
 * chat-line-cost): the CPU of the FerretDB this process started, the driver's commands per label and
 * their time (TIMES=1), and a CPU profile of the measured part (PROFILE=<file.cpuprofile>).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** CPU ms (utime + stime, clock ticks of 10 ms) of the FerretDB child of this process. */
export function ferretDbCpuMs(): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (stat.includes('(ferretdb)') && Number(f[1]) === process.pid) return (Number(f[11]) + Number(f[12])) * 10;
    } catch { /* gone meanwhile */ }
  }
  return NaN;
}

type Monitored = { on(e: string, f: (ev: never) => void): void };

/** Per command label (`update messages`, ...): how many and how long, while TIMES=1. */
export interface CommandTimes {
  clear(): void;
  /** One line per label, dearest first, per `unit` (`mail`, `line`, ...) of `count`. */
  lines(count: number, unit: string): string[];
}

/**
 * With TIMES=1, makes every mongoose connection opened from now on monitor its commands (one option
 * more than the gateway's own); call it before the gateway is created, then `commandTimes`.
 */
export async function monitorCommandsIfAsked(): Promise<void> {
  if (!process.env.TIMES) return;
  const { default: mongoose } = await import('mongoose');
  const orig = mongoose.createConnection.bind(mongoose);
  (mongoose as { createConnection: unknown }).createConnection = (uri: string, opts: object) => orig(uri, { ...opts, monitorCommands: true });
}

/** Counts the commands of `client` per label while TIMES=1 (nothing otherwise). */
export function commandTimes(client: unknown): CommandTimes {
  const times = new Map<string, { n: number; ms: number }>();
  if (process.env.TIMES) {
    const started = new Map<number, string>();
    (client as Monitored).on('commandStarted', (ev: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
      const target = ev.command[ev.commandName];
      started.set(ev.requestId, typeof target === 'string' ? `${ev.commandName} ${target}` : ev.commandName);
    });
    (client as Monitored).on('commandSucceeded', (ev: { requestId: number; duration: number }) => {
      const label = started.get(ev.requestId);
      started.delete(ev.requestId);
      if (!label) return;
      const t = times.get(label) ?? { n: 0, ms: 0 };
      t.n++;
      t.ms += ev.duration;
      times.set(label, t);
    });
  }
  return {
    clear: () => times.clear(),
    lines: (count, unit) => [...times].sort((a, b) => b[1].ms - a[1].ms)
      .map(([label, t]) => `  ${label.padEnd(36)} ${(t.n / count).toFixed(2)}/${unit} ${(t.ms / t.n).toFixed(1)} ms avg ${(t.ms / count).toFixed(1)} ms/${unit}`),
  };
}

/** With PROFILE=<file>, CPU-profiles this thread from now until `stop()` writes the file. */
export async function profileIfAsked(): Promise<{ stop(): Promise<void> }> {
  const file = process.env.PROFILE;
  if (!file) return { stop: async () => {} };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}
