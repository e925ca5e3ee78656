/**
 * The figures of a report, from one line per ticket (pure: hand-computable, tested on a seeded
 * history). Median: the middle value, or the mean of the two middle ones. p90: nearest rank, the
 * value at position ceil(0.9 n) in ascending order. Times are minutes, rounded to 0.01; rates are
 * shares rounded to 0.0001.
 */
import type { Report, ReportDimension, ReportRange, ReportRow, ReportTicket } from './report.types.ts';

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function p90(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(0.9 * s.length) - 1]!;
}

const minutesBetween = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 60_000;
const maybe = (n: number | null) => (n === null ? null : round(n, 2));

export function rowOf(key: string, tickets: ReportTicket[], slaAvailable: boolean): ReportRow {
  const first = tickets.filter((t) => t.firstResponseAt).map((t) => minutesBetween(t.createdAt, t.firstResponseAt!));
  const resolved = tickets.filter((t) => t.resolvedAt).map((t) => minutesBetween(t.createdAt, t.resolvedAt!));
  const n = tickets.length;
  const sum = (f: (t: ReportTicket) => number) => tickets.reduce((acc, t) => acc + f(t), 0);
  return {
    key, ticketsHandled: n,
    firstResponseMedianMin: maybe(median(first)), firstResponseP90Min: maybe(p90(first)),
    resolutionMedianMin: maybe(median(resolved)), resolutionP90Min: maybe(p90(resolved)),
    slaCompliance: slaAvailable && n ? round(sum((t) => (t.slaBreached ? 0 : 1)) / n, 4) : null,
    escalations: sum((t) => t.escalations),
    reopenRate: n ? round(sum((t) => (t.reopened ? 1 : 0)) / n, 4) : 0,
    articlesSuggested: sum((t) => t.articlesSuggested),
    articlesAccepted: sum((t) => t.articlesAccepted),
  };
}

const KEY_OF: Record<ReportDimension, (t: ReportTicket) => string> = {
  agent: (t) => t.assigneeId ?? '(unassigned)',
  tier: (t) => t.tier ?? 'L1',
  channel: (t) => t.channel,
  category: (t) => t.category ?? '(none)',
};

export function buildReport(range: ReportRange, all: ReportTicket[], slaAvailable: boolean): Report {
  const tickets = all.filter((t) => (!range.channel || t.channel === range.channel) && (!range.category || t.category === range.category));
  const by = {} as Report['by'];
  for (const dimension of Object.keys(KEY_OF) as ReportDimension[]) {
    const groups = new Map<string, ReportTicket[]>();
    for (const t of tickets) {
      const key = KEY_OF[dimension](t);
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    by[dimension] = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, group]) => rowOf(key, group, slaAvailable));
  }
  return {
    from: range.from.toISOString(), to: range.to.toISOString(),
    filters: { channel: range.channel ?? null, category: range.category ?? null },
    slaAvailable, total: rowOf('total', tickets, slaAvailable), by,
  };
}

const COLUMNS: Array<keyof ReportRow> = [
  'key', 'ticketsHandled', 'firstResponseMedianMin', 'firstResponseP90Min', 'resolutionMedianMin', 'resolutionP90Min',
  'slaCompliance', 'escalations', 'reopenRate', 'articlesSuggested', 'articlesAccepted',
];

/** RFC 4180 CSV: one line per group, `dimension` first; a cell that could start a formula is quoted with a leading '. */
export function reportCsv(report: Report): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['dimension', ...COLUMNS].join(',')];
  lines.push(['total', ...COLUMNS.map((c) => cell(report.total[c]))].join(','));
  for (const [dimension, rows] of Object.entries(report.by)) {
    for (const row of rows) lines.push([dimension, ...COLUMNS.map((c) => cell(row[c]))].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
