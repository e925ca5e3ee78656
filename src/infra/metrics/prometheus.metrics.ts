/**
 * The Metrics port for Prometheus (prom-client), on a registry of its own so two gateways in one
 * process (tests) never share counters. Queue sizes are not counted as they change: they are read
 * from the database when scraped, so they stay true across restarts and across several processes.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../../core/index.ts';

/** Current sizes of the stores behind the gateway, read at scrape time. */
export interface QueueProbe {
  /** Outbox entries not yet sent nor given up, by status. */
  outboxDepth(): Promise<Record<string, number>>;
  /** Quarantined items still held. */
  quarantineHeld(): Promise<number>;
}

// Intake on FerretDB takes 0.1 s to a few seconds per message; buckets span 5 ms to 30 s.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly ingestedTotal: Counter<'channel' | 'outcome'>;
  private readonly ingestSeconds: Histogram<'channel'>;
  private readonly deliveryFailures: Counter<'channel' | 'final'>;
  private readonly reconnects: Counter<'channel' | 'link'>;
  private readonly rejections: Counter<'channel' | 'reason'>;
  private readonly connections: Gauge<'channel' | 'role'>;

  constructor(probe: QueueProbe, prefix = 'helpdesk_') {
    const registers = [this.registry];
    // Includes nodejs_eventloop_lag_seconds and its percentiles.
    collectDefaultMetrics({ register: this.registry });
    this.ingestedTotal = new Counter({
      name: `${prefix}messages_ingested_total`, help: 'Messages handed to the intake, by channel and outcome (error: asked to retry).',
      labelNames: ['channel', 'outcome'], registers,
    });
    this.ingestSeconds = new Histogram({
      name: `${prefix}ingest_duration_seconds`, help: 'Time to store one message, from the channel handing it over to the answer.',
      labelNames: ['channel'], buckets: LATENCY_BUCKETS, registers,
    });
    this.deliveryFailures = new Counter({
      name: `${prefix}delivery_failures_total`, help: 'Failed delivery attempts; final="true" when the entry was given up.',
      labelNames: ['channel', 'final'], registers,
    });
    this.reconnects = new Counter({
      name: `${prefix}reconnects_total`, help: 'Reconnects scheduled after a channel lost its server (e.g. IMAP).',
      labelNames: ['channel', 'link'], registers,
    });
    this.rejections = new Counter({
      name: `${prefix}submissions_rejected_total`, help: 'Submissions a channel turned away before intake, by reason (honeypot, too-fast, rate-limit, ...).',
      labelNames: ['channel', 'reason'], registers,
    });
    this.connections = new Gauge({
      name: `${prefix}live_connections`, help: 'Clients connected to this process on a live channel, by role (chat: visitor, agent).',
      labelNames: ['channel', 'role'], registers,
    });
    // Present from the start, so a dashboard shows 0 rather than nothing.
    for (const role of ['visitor', 'agent']) this.connections.set({ channel: 'chat', role }, 0);
    new Gauge({
      name: `${prefix}outbox_depth`, help: 'Outbound messages waiting to be sent, by status.', labelNames: ['status'], registers,
      async collect() {
        this.reset();
        for (const [status, n] of Object.entries(await probe.outboxDepth())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: `${prefix}quarantine_held`, help: 'Quarantined items not yet released.', registers,
      async collect() {
        this.set(await probe.quarantineHeld());
      },
    });
  }

  ingested(channel: string, outcome: string, seconds: number): void {
    this.ingestedTotal.inc({ channel, outcome });
    this.ingestSeconds.observe({ channel }, seconds);
  }

  deliveryFailed(channel: string, final: boolean): void {
    this.deliveryFailures.inc({ channel, final: String(final) });
  }

  reconnect(channel: string, link: string): void {
    this.reconnects.inc({ channel, link });
  }

  rejected(channel: string, reason: string): void {
    this.rejections.inc({ channel, reason });
  }

  liveConnections(channel: string, role: string, delta: number): void {
    this.connections.inc({ channel, role }, delta);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
