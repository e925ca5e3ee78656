/** What reports are computed from (one line per ticket, gathered by the ReportSource) and what they say. */
import type { ChannelId, Tier } from '../types.ts';

/** One ticket opened in the report's range, with the facts the figures need. */
export interface ReportTicket {
  id: string;
  channel: ChannelId;
  category?: string;
  tier?: Tier;
  assigneeId?: string;
  createdAt: Date;
  /** The first public reply an agent sent. */
  firstResponseAt?: Date;
  /** The first time it was set resolved (or closed, when it never was resolved). */
  resolvedAt?: Date;
  escalations: number;
  /** Resolved or closed, then open again (by an agent, or by the customer writing again). */
  reopened: boolean;
  /** An SLA target of it was breached. */
  slaBreached: boolean;
  articlesSuggested: number;
  /** Suggestions the customer answered "solved". */
  articlesAccepted: number;
}

export interface ReportRange {
  from: Date;
  to: Date;
  channel?: ChannelId;
  category?: string;
}

/** Gathers the tickets opened in `[from, to)` (the Mongo implementation lives in src/infra/mongo). */
export interface ReportSource {
  ticketsOpened(from: Date, to: Date): Promise<ReportTicket[]>;
}

export interface ReportRow {
  key: string;
  ticketsHandled: number;
  /** Minutes; null when no ticket of the row has one. */
  firstResponseMedianMin: number | null;
  firstResponseP90Min: number | null;
  resolutionMedianMin: number | null;
  resolutionP90Min: number | null;
  /** Share of tickets without a breached SLA target (0..1); null when SLA is off. */
  slaCompliance: number | null;
  escalations: number;
  /** Share of tickets reopened (0..1). */
  reopenRate: number;
  articlesSuggested: number;
  articlesAccepted: number;
}

export const REPORT_DIMENSIONS = ['agent', 'tier', 'channel', 'category'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface Report {
  from: string;
  to: string;
  filters: { channel: string | null; category: string | null };
  slaAvailable: boolean;
  total: ReportRow;
  by: Record<ReportDimension, ReportRow[]>;
}
