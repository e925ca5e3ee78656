/**
 * Reports for agents: per agent, tier, channel and category over a date range, as JSON or CSV
 * (the same figures; src/core/reports/report.figures.ts says how each is computed).
 */
import { z } from 'zod';
import { buildReport, reportCsv, type ReportSource } from '../core/index.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';

/** The longest range one report covers (it reads every ticket opened in it). */
const MAX_RANGE_DAYS = 366;
const DAY = 24 * 60 * 60 * 1000;

const reportQuery = z.object({
  from: z.iso.date(),
  /** Exclusive: `to=2026-12-01` covers November 30 entirely. */
  to: z.iso.date(),
  channel: z.enum(['email', 'chat', 'webform']).optional(),
  category: z.string().trim().min(1).max(100).optional(),
}).strict().refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= MAX_RANGE_DAYS * DAY, { message: `at most ${MAX_RANGE_DAYS} days`, path: ['to'] });

const row = z.object({
  key: z.string(), ticketsHandled: z.number(), firstResponseMedianMin: z.number().nullable(), firstResponseP90Min: z.number().nullable(),
  resolutionMedianMin: z.number().nullable(), resolutionP90Min: z.number().nullable(), slaCompliance: z.number().nullable(),
  escalations: z.number(), reopenRate: z.number(), articlesSuggested: z.number(), articlesAccepted: z.number(),
});
const reportView = z.object({
  from: z.string(), to: z.string(), filters: z.object({ channel: z.string().nullable(), category: z.string().nullable() }), slaAvailable: z.boolean(),
  total: row, by: z.object({ agent: z.array(row), tier: z.array(row), channel: z.array(row), category: z.array(row) }),
});

export function registerReportRoutes(api: ApiRegistry, deps: { source: ReportSource; slaAvailable: boolean }): void {
  const compute = async (q: z.output<typeof reportQuery>) => {
    const range = {
      from: new Date(`${q.from}T00:00:00Z`), to: new Date(`${q.to}T00:00:00Z`),
      ...(q.channel ? { channel: q.channel } : {}), ...(q.category ? { category: q.category } : {}),
    };
    return buildReport(range, await deps.source.ticketsOpened(range.from, range.to), deps.slaAvailable);
  };

  api.add({
    method: 'get', path: '/reports', operationId: 'report', tag: 'reports', access: 'agent', query: reportQuery,
    summary: 'Tickets opened in [from, to) (UTC dates): per agent, tier, channel and category; optional channel and category filters',
    responses: { 200: { description: 'The report', schema: reportView } },
    async handler({ query, res }) {
      res.json(await compute(query));
    },
  });

  api.add({
    method: 'get', path: '/reports.csv', operationId: 'reportCsv', tag: 'reports', access: 'agent', query: reportQuery,
    summary: 'The same report as CSV: one line per group, the dimension first',
    responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
    async handler({ query, res }) {
      const csv = reportCsv(await compute(query));
      res.type('text/csv; charset=utf-8').attachment(`report-${query.from}-${query.to}.csv`).send(csv);
    },
  });
}
