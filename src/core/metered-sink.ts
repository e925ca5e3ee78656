/** Wraps an intake sink so every hand-over is counted with its outcome and how long it took. */
import type { Metrics } from './metrics.ts';
import type { IntakeSink } from './ports.ts';

export function meteredSink(sink: IntakeSink, metrics: Metrics, now = () => performance.now()): IntakeSink {
  const seconds = (started: number) => (now() - started) / 1000;
  return {
    async ingest(message) {
      const started = now();
      try {
        const result = await sink.ingest(message);
        metrics.ingested(message.channel, result.outcome, seconds(started));
        return result;
      } catch (err) {
        // The channel turns this into a retry signal (4xx, exit 75, no checkpoint).
        metrics.ingested(message.channel, 'error', seconds(started));
        throw err;
      }
    },
    async quarantine(item) {
      const started = now();
      const result = await sink.quarantine(item);
      metrics.ingested(item.channel, 'quarantined', seconds(started));
      return result;
    },
  };
}
