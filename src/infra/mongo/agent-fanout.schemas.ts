/**
 * `agent_fanout`: audit events whose agent notification mails are not queued yet, the whole event
 * in each document (`_id` = the event's id). It holds only pending work, so the fan-out pass reads
 * it whole: FerretDB 1.24 pushes down nothing but `_id` equality, and a `fanout: pending` filter on
 * `ticket_events` read every event ever recorded. Once the mails are queued the event moves to
 * `ticket_events` (its permanent home) and leaves this collection.
 */
import { Schema } from 'mongoose';

export const agentFanoutSchema = new Schema({
  _id: String,
  ticketId: String,
  type: String,
  actor: String,
  data: Schema.Types.Mixed,
  at: Date,
}, { versionKey: false, strict: 'throw', collection: 'agent_fanout' });
