/**
 * Measures one side of a scenario: wall time, the process's CPU and peak RSS, and the database
 * commands sent meanwhile, net of what the gateway sends anyway while idle (pollers, leases).
 */
import type { BenchDatabase } from './database.ts';
import { measureProcess, measureSelf, type UsageWindow } from './proc-usage.ts';
import { sleep } from './stats.ts';

export interface PhaseUsage extends UsageWindow { seconds: number; dbCommands?: number }

/** Commands per second the database receives while nothing is offered (the gateway's background). */
export async function idleCommandRate(db: BenchDatabase, seconds = 4): Promise<number> {
  const before = await db.commands();
  await sleep(seconds * 1000);
  const after = await db.commands();
  return before === undefined || after === undefined ? 0 : (after - before) / seconds;
}

/** Runs `work`, measuring `pid` (the gateway) or, without one, this process. */
export async function measured<T>(db: BenchDatabase, pid: number | undefined, idleRate: number, work: () => Promise<T>): Promise<{ value: T; usage: PhaseUsage }> {
  const before = await db.commands();
  const probe = pid ? measureProcess(pid) : measureSelf();
  const t0 = performance.now();
  const value = await work();
  const seconds = (performance.now() - t0) / 1000;
  const usage = probe.stop();
  const after = await db.commands();
  const dbCommands = before === undefined || after === undefined ? undefined : Math.max(0, after - before - idleRate * seconds);
  return { value, usage: { ...usage, seconds, ...(dbCommands === undefined ? {} : { dbCommands }) } };
}
