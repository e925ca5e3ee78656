/** The shape every scenario reports, so one writer makes the JSON, the table and the README section. */
import type { LatencySummary } from './stats.ts';

export interface Measurement {
  scenario: string;
  /** What was run, e.g. `LMTP, 4 connections`. */
  variant: string;
  side: 'gateway' | 'baseline';
  count: number;
  seconds: number;
  throughput: number;
  unit: string;
  latencyMs?: LatencySummary;
  /** CPU of the gateway process (gateway rows) or of the bench process, load generator included (baseline rows). */
  cpuMs?: number;
  peakRssMb?: number;
  /** Database commands per item (server-side count, connection upkeep excluded), net of the idle background. */
  dbCommandsPerItem?: number;
  extra?: Record<string, number | string>;
}

export interface TargetVerdict {
  scenario: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface ScenarioResult {
  measurements: Measurement[];
  targets: TargetVerdict[];
  notes: string[];
}

export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
