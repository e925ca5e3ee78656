/**
 * The suite's summary table: each scenario writes one row per channel it loaded to a directory
 * shared by the run (provided by the global setup), and the global teardown prints them all.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Answer } from './load-runner.ts';
import type { Verdict } from './delivery-check.ts';

export interface SummaryRow {
  fault: string;
  channel: string;
  injected: number;
  accepted: number;
  lost: number;
  duplicated: number;
  /** Second copies with the same Message-ID inside SMTP's window (allowed, reported). */
  redelivered: number;
  /** Times a sender was told to try later (LMTP 4xx, exit 75, HTTP 503, chat error ack, broken connection). */
  retries: number;
  seed?: number;
  seconds: number;
}

export interface ScenarioOutcome {
  fault: string;
  injected: number;
  seconds: number;
  seed?: number;
}

export function writeRow(dir: string, row: SummaryRow): void {
  writeFileSync(join(dir, `${`${row.fault} ${row.channel}`.replace(/\W+/g, '-')}.json`), JSON.stringify(row));
}

/** One row per channel of the verdict; its retries are the answers to that channel's senders. */
export function writeRows(dir: string, scenario: ScenarioOutcome, verdict: Verdict, answers: Answer[]): void {
  for (const [channel, tally] of Object.entries(verdict.byChannel)) {
    const retries = answers.filter((a) => a.channel === channel && a.status === 'retry').length;
    writeRow(dir, { ...scenario, channel, ...tally, retries });
  }
}

export function readRows(dir: string): SummaryRow[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SummaryRow);
}

export function formatTable(rows: SummaryRow[]): string {
  const head = ['fault', 'channel', 'faults injected', 'accepted', 'lost', 'duplicated', 'redelivered (same Message-ID)', 'retry answers', 'seconds', 'seed'];
  const body = rows.map((r) => [r.fault, r.channel ?? '-', r.injected, r.accepted, r.lost, r.duplicated, r.redelivered, r.retries, r.seconds, r.seed ?? '-'].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
