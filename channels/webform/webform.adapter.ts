/**
 * The web form channel: the support page, its API and the customer's status pages, mounted on the
 * gateway's express router. It files tickets through the core's IntakeSink only; the
 * acknowledgement goes by email through the core's acknowledger (the requester's route).
 */
import cookieParser from 'cookie-parser';
import type { Router } from 'express';
import type { BlobStore, ChannelAdapter, ChannelHealth, IntakeSink, Logger, Metrics, PublicTickets, TokenKeys, WebSurface } from '../../src/core/index.ts';
import { noMetrics, TransientError } from '../../src/core/index.ts';
import { createCsrf } from './csrf.ts';
import { formRoutes } from './form.routes.ts';
import { SubmissionLimits } from './rate-limits.ts';
import { statusRoutes } from './status.routes.ts';
import { SubmissionService } from './submission.service.ts';
import type { WebformChannelConfig } from './webform.settings.ts';

export interface WebformDeps {
  blobs: BlobStore;
  keys: TokenKeys;
  publicUrl: string;
  tickets: PublicTickets;
  logger: Logger;
  metrics?: Metrics;
  redisUrl?: string;
  now?: () => Date;
}

export class WebformChannel implements ChannelAdapter {
  readonly id = 'webform';
  private sink: IntakeSink | undefined;
  private readonly limits: SubmissionLimits;

  constructor(private readonly config: WebformChannelConfig, private readonly deps: WebformDeps) {
    this.limits = new SubmissionLimits(config.rateLimit, config.enabled ? deps.redisUrl : undefined);
  }

  async start(sink: IntakeSink): Promise<void> {
    await this.limits.connect();
    this.sink = sink;
  }

  async stop(): Promise<void> {
    await this.limits.close();
    this.sink = undefined;
  }

  private currentSink(): IntakeSink {
    if (!this.sink) throw new TransientError('web form channel not started');
    return this.sink;
  }

  mount(surface: WebSurface): void {
    if (!this.config.enabled) return;
    const router = surface.router as Router;
    const now = this.deps.now ?? (() => new Date());
    const metrics = this.deps.metrics ?? noMetrics;
    const logger = this.deps.logger;
    const csrf = createCsrf(this.deps.keys, this.deps.publicUrl);
    const service = new SubmissionService(this.config, {
      sink: () => this.currentSink(), filed: (externalId) => this.deps.tickets.filed('webform', externalId),
      blobs: this.deps.blobs, keys: this.deps.keys, limits: this.limits, now,
    });
    router.use('/support', cookieParser());
    router.use(formRoutes({ config: this.config, service, limits: this.limits, csrf, keys: this.deps.keys, publicUrl: this.deps.publicUrl, metrics, logger, now }));
    router.use(statusRoutes({ tickets: this.deps.tickets, sink: () => this.currentSink(), keys: this.deps.keys, csrf, limits: this.limits, metrics, logger, now }));
  }

  async health(): Promise<ChannelHealth> {
    if (!this.config.enabled) return { ok: true, detail: 'web form disabled' };
    return { ok: Boolean(this.sink), detail: this.sink ? 'web form accepting submissions' : 'web form not started' };
  }
}
