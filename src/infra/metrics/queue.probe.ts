/** Reads queue sizes for the metrics scrape: a few counts on indexed status fields. */
import type { Connection } from 'mongoose';
import type { QueueProbe } from './prometheus.metrics.ts';

const WAITING = ['pending', 'sending'] as const;

export function mongoQueueProbe(conn: Connection): QueueProbe {
  return {
    async outboxDepth() {
      const counts = await Promise.all(WAITING.map((status) => conn.collection('outbox').countDocuments({ status })));
      return Object.fromEntries(WAITING.map((status, i) => [status, counts[i]!]));
    },
    quarantineHeld: () => conn.collection('quarantine').countDocuments({ status: 'held' }),
  };
}
