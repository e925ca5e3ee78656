/**
 * SLA collections: `sla_timers` (one per ticket and timer kind, `_id` = `<ticket>:<kind>`, `dueAt`
 * null while disarmed, and the ticket's clock as `<ticket>:clock`, so the clock and its timers are
 * one bulk write) and `sla_firings` (one per fired timer and due time: the unique `_id` is the
 * claim, see sla-scheduler.ts). `sla_clocks` (`_id` = ticket id) held clocks before; it is only
 * read at start, to move what it still holds.
 */
import { Schema, type Connection } from 'mongoose';

const opts = { versionKey: false as const, strict: 'throw' as const };

const target = new Schema({ targetMs: Number, metAt: Date, warnedAt: Date, breachedAt: Date }, { _id: false, versionKey: false, strict: 'throw' });

/** A ticket's SLA clock, wherever it lives (running in `sla_timers`, stopped, or in the old `sla_clocks`). */
const clockFields = {
  ticketNumber: Number,
  policy: String,
  usedMs: Number,
  runningSince: Date,
  firstResponse: target,
  resolution: target,
  escalateTo: String,
  updatedAt: Date,
};

export const slaClockSchema = new Schema({ _id: String, ...clockFields }, { ...opts, collection: 'sla_clocks' });

export const slaTimerSchema = new Schema({
  _id: String,
  ticketId: { type: String, index: true },
  ticketNumber: Number,
  kind: String,
  dueAt: { type: Date, index: true },
}, { ...opts, collection: 'sla_timers' });

/** Clocks that stopped a while ago, moved out of `sla_timers` (`_id` = ticket id; same fields as a clock). */
export const slaStoppedClockSchema = new Schema({ _id: String, kind: String, ...clockFields }, { ...opts, collection: 'sla_clocks_stopped' });

export const slaFiringSchema = new Schema({
  _id: String,
  ticketId: { type: String, index: true },
  claimedAt: Date,
}, { ...opts, collection: 'sla_firings' });

export function slaModels(conn: Connection) {
  // A second core on the same connection (tests) reuses the models.
  const model = <T extends Schema>(name: string, schema: T) => conn.models[name] ?? conn.model(name, schema);
  return {
    SlaClock: model('SlaClock', slaClockSchema) as ReturnType<typeof conn.model>,
    SlaTimer: model('SlaTimer', slaTimerSchema) as ReturnType<typeof conn.model>,
    SlaFiring: model('SlaFiring', slaFiringSchema) as ReturnType<typeof conn.model>,
    SlaStoppedClock: model('SlaStoppedClock', slaStoppedClockSchema) as ReturnType<typeof conn.model>,
  };
}

export type SlaModels = ReturnType<typeof slaModels>;
