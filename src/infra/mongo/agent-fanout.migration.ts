/**
 * Events recorded before `agent_fanout` existed carry `fanout: 'pending'` in `ticket_events`: each
 * is copied into the queue, then its mark removed (a crash in between leaves both, and the next
 * start repeats the copy, which changes nothing). One scan of `ticket_events` per start, like
 * migrateContacts; the fan-out pass then handles them like any other pending event.
 */
import type { Models } from './models.ts';

export async function migrateFanoutMarks(m: Models): Promise<number> {
  const marked = await m.TicketEvent.find({ fanout: 'pending' }).lean<Array<Record<string, unknown> & { _id: string }>>();
  for (const { _id, ...doc } of marked) {
    const { fanout, ...event } = doc;
    if (fanout !== 'pending') continue;
    await m.AgentFanout.updateOne({ _id }, { $setOnInsert: event }, { upsert: true });
    await m.TicketEvent.updateOne({ _id }, { $unset: { fanout: 1 } });
  }
  return marked.length;
}
