/**
 * Drives load sources the way real senders behave: each source offers new items at its pace and
 * keeps every item it was told to retry, offering it again until it is accepted. What was accepted
 * is the ledger the checks compare the database and the SMTP peer against.
 */
import type { LoadItem, LoadSource, Offer } from './load-source.ts';

export interface Answer {
  source: string;
  channel: string;
  key: string;
  status: Offer['status'];
  detail?: string;
  startedAt: number;
  at: number;
}

export interface LoadOptions {
  /** New items each source offers in total. */
  perSource: number;
  /** Pause between two offers of one source. */
  gapMs: number;
  /** How long a retried item waits before it is offered again. */
  retryAfterMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LoadRunner {
  /** By the sender's key: the channel and the externalId the message must be stored under. */
  readonly accepted = new Map<string, { channel: string; externalId: string; source: string; at: number }>();
  readonly answers: Answer[] = [];
  private readonly pending = new Map<LoadSource, Array<{ item: LoadItem; due: number }>>();
  /** Offers awaiting their answer, by channel: a fault that lands now lands mid-request. */
  private readonly waiting = new Map<string, number>();
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly sources: LoadSource[], private readonly options: LoadOptions) {
    for (const s of sources) this.pending.set(s, []);
  }

  /** Starts offering in the background. */
  start(): void {
    this.loops = this.sources.map((s) => this.run(s));
  }

  /** Resolves when every source has offered all its new items (retries may still be pending). */
  async offered(): Promise<void> {
    await Promise.all(this.loops);
  }

  /** Stops offering new items early. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** Offers every item still waiting for a retry until all are accepted, or fails after the timeout. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = [...this.pending.entries()].flatMap(([source, items]) => items.map((i) => ({ source, ...i })));
      if (!waiting.length) return;
      if (Date.now() > deadline) throw new Error(`${waiting.length} item(s) never accepted, e.g. ${waiting[0]!.item.key}: ${this.lastDetail(waiting[0]!.item.key)}`);
      for (const { source, item } of waiting) await this.offer(source, item);
      await sleep(500);
    }
  }

  /** Answers of one status given to offers that started at or after `from` and ended by `to`. */
  between(from: number, to: number, status?: Offer['status']): Answer[] {
    return this.answers.filter((a) => a.startedAt >= from && a.at <= to && (!status || a.status === status));
  }

  /** Closes what the sources hold open (chat sockets). */
  close(): void {
    for (const s of this.sources) s.close?.();
  }

  /** How many offers of this channel are waiting for their answer right now. */
  inFlight(channel: string): number {
    return this.waiting.get(channel) ?? 0;
  }

  rejected(): Answer[] {
    return this.answers.filter((a) => a.status === 'rejected');
  }

  private lastDetail(key: string): string {
    return [...this.answers].reverse().find((a) => a.key === key)?.detail ?? 'no answer';
  }

  private async run(source: LoadSource): Promise<void> {
    const queue = this.pending.get(source)!;
    for (let seq = 1; seq <= this.options.perSource && !this.stopping;) {
      const due = queue.find((q) => q.due <= Date.now());
      if (due) await this.offer(source, due.item);
      else await this.offer(source, source.item(seq++));
      await sleep(this.options.gapMs);
    }
  }

  private async offer(source: LoadSource, item: LoadItem): Promise<void> {
    const queue = this.pending.get(source)!;
    const startedAt = Date.now();
    this.waiting.set(source.channel, this.inFlight(source.channel) + 1);
    const offer = await source.offer(item).finally(() => this.waiting.set(source.channel, this.inFlight(source.channel) - 1));
    this.answers.push({ source: source.name, channel: source.channel, key: item.key, status: offer.status, startedAt, at: Date.now(),
      ...(offer.status === 'accepted' ? {} : { detail: offer.detail }) });
    const index = queue.findIndex((q) => q.item.key === item.key);
    if (index >= 0) queue.splice(index, 1);
    if (offer.status === 'accepted') {
      this.accepted.set(item.key, { channel: source.channel, externalId: offer.externalId ?? item.key, source: source.name, at: Date.now() });
    }
    else if (offer.status === 'retry') queue.push({ item, due: Date.now() + (this.options.retryAfterMs ?? 1_000) });
  }
}
