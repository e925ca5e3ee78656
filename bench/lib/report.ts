/** Writes a run's JSON and Markdown into bench/results/ and the latest table into the README. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.ts';
import type { Measurement, TargetVerdict } from './result.ts';

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  commit: string;
  machine: MachineInfo;
  loadAverageAtEnd: number[];
  database: string;
  measurements: Measurement[];
  targets: TargetVerdict[];
  notes: string[];
  profile?: string[];
  /** The sizes the run used (the full defaults follow issue 12; flags may lower them). */
  sizes: Record<string, unknown>;
}

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? '–' : String(Math.round(n * 10 ** digits) / 10 ** digits));

export function markdown(report: RunReport): string {
  const m = report.machine;
  const lines = [
    `Run ${report.startedAt} (${report.mode}), commit \`${report.commit}\`: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, ${m.platform}; `
    + `database ${report.database}; load average ${m.loadAverage.join(' / ')} at start, ${report.loadAverageAtEnd.join(' / ')} at the end `
    // A load above half the cores at the start means something else was running: say so, the numbers are then noisier.
    + (Math.max(...m.loadAverage) > m.cores / 2 ? '(the machine was shared with other work).' : '(nothing else was running).'),
    '',
    `Sizes: ${Object.entries(report.sizes).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('/') : String(v)}`).join(', ')}; wall time ${Math.round((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000)} s.`,
    '',
    '| Scenario | Variant | Side | Count | Throughput | p50 ms | p95 ms | p99 ms | CPU ms/item | Peak RSS MB | DB cmds/item | Ratio |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of report.measurements) {
    const base = report.measurements.find((b) => b.side === 'baseline' && b.scenario === row.scenario && b.variant === row.variant);
    const ratio = row.side === 'gateway' && base && base.throughput ? `${fmt((row.throughput / base.throughput) * 100)}%` : '';
    lines.push(`| ${row.scenario} | ${row.variant} | ${row.side} | ${row.count} | ${fmt(row.throughput, 2)} ${row.unit} | ${fmt(row.latencyMs?.p50)} | ${fmt(row.latencyMs?.p95)} | ${fmt(row.latencyMs?.p99)} | `
      + `${fmt(row.cpuMs !== undefined ? row.cpuMs / row.count : undefined, 2)} | ${fmt(row.peakRssMb)} | ${fmt(row.dbCommandsPerItem)} | ${ratio} |`);
  }
  lines.push('', '| Target | Measured | Verdict |', '|---|---|---|');
  for (const t of report.targets) lines.push(`| ${t.scenario}: ${t.target} | ${t.measured} | ${t.met ? '**met**' : '**missed**'} |`);
  if (report.notes.length) lines.push('', ...report.notes.map((n) => `- ${n}`));
  if (report.profile?.length) lines.push('', 'Where the gateway\'s time goes (`--profile`, self time):', '', ...report.profile);
  return `${lines.join('\n')}\n`;
}

export function writeResults(root: string, report: RunReport): { json: string; md: string } {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const json = join(dir, `${stamp}.json`);
  const md = join(dir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, `# Benchmark ${report.startedAt}\n\n${markdown(report)}`);
  return { json, md };
}

/** Replaces the README's table between the bench markers (the section says how to run it). */
export function updateReadme(root: string, report: RunReport, resultFile: string): boolean {
  const path = join(root, 'README.md');
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) return false;
  const body = `${README_START}\n${markdown(report)}\nFull result: [\`${resultFile}\`](${resultFile}).\n`;
  writeFileSync(path, text.slice(0, start) + body + text.slice(end));
  return true;
}
