/**
 * CPU time and peak RSS of another process, read from /proc (Linux only; no dependency):
 * utime+stime from /proc/<pid>/stat, RSS sampled from /proc/<pid>/status every 100 ms.
 */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ); 100 on every Linux we run on. */
const TICKS_PER_SECOND = 100;

export interface UsageWindow { cpuMs: number; peakRssMb: number }

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" of the command name: state is field 3, utime 14, stime 15 (1-based).
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Starts measuring `pid`; `stop()` gives the CPU it used and the highest RSS seen meanwhile. */
export function measureProcess(pid: number): { stop(): UsageWindow } {
  const startTicks = cpuTicks(pid);
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    try { peak = Math.max(peak, rssMb(pid)); } catch { /* gone */ }
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      let cpuMs = NaN;
      try {
        peak = Math.max(peak, rssMb(pid));
        cpuMs = ((cpuTicks(pid) - startTicks) * 1000) / TICKS_PER_SECOND;
      } catch { /* gone */ }
      return { cpuMs, peakRssMb: Math.round(peak * 10) / 10 };
    },
  };
}

/** The same for this process (baselines run in the bench process, together with their load). */
export function measureSelf(): { stop(): UsageWindow } {
  const start = process.cpuUsage();
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 100);
  return {
    stop() {
      clearInterval(timer);
      const used = process.cpuUsage(start);
      peak = Math.max(peak, process.memoryUsage.rss());
      return { cpuMs: Math.round((used.user + used.system) / 1000), peakRssMb: Math.round((peak / 1048576) * 10) / 10 };
    },
  };
}
