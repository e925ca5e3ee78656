/**
 * Group commit for outbox results: every result that arrives while a write is under way goes into
 * the next one, so a busy dispatcher records many sends per round trip and an idle one waits for
 * nobody.
 */
import type { OutboxRepository, OutboxSettlement } from './ports.ts';

interface Waiting { settlement: OutboxSettlement; resolve(ok: boolean): void; reject(err: unknown): void }

export class OutboxSettler {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly outbox: OutboxRepository) {}

  /** Resolves with whether the result was still this claim's to record. */
  record(settlement: OutboxSettlement): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ settlement, resolve, reject });
      this.writing ??= this.write();
    });
  }

  private async write(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0);
      try {
        const ok = await this.outbox.settle(batch.map((w) => w.settlement));
        batch.forEach((w, i) => w.resolve(ok[i] ?? false));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = undefined;
  }
}
