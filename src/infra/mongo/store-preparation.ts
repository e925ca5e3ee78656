/**
 * Preparing the database for this version: data migrations, then every collection and index the
 * schemas declare. The gateway prepares at every start. A short-lived command (`helpdesk pipe`, one
 * process per mail) must not pay that on every call (it was about 60 commands, half the pipe's
 * time): it reads one marker by `_id` and prepares only a database that no process of this layout
 * has prepared yet (a pipe before the first gateway start, or after an upgrade).
 *
 * The marker's `_id` is a fingerprint of the layout: every registered model's collection and
 * indexes, plus MIGRATIONS. A new index changes it by itself; a new data migration must be named in
 * MIGRATIONS, so that a database prepared by an older version is prepared again.
 */
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';
import { agentModels } from './agent.schemas.ts';
import { knowledgeModels } from './knowledge.schemas.ts';
import { isDuplicateKey } from './ids.ts';
import { ensureIndexes, type Models } from './models.ts';
import { migrateClocks } from './sla.repository.ts';
import { slaModels } from './sla.schemas.ts';

/** The data migrations a prepared database has run (see ensureIndexes and migrateClocks). */
const MIGRATIONS = ['contacts-identities', 'fanout-marks', 'conversation-tickets', 'sla-clocks-in-timers'];

/** Every model set on the connection (each registers once), so the fingerprint covers them all. */
function registerAll(conn: Connection) {
  return { knowledge: knowledgeModels(conn), agents: agentModels(conn), sla: slaModels(conn) };
}

function markerId(conn: Connection): string {
  registerAll(conn);
  const layout = Object.values(conn.models)
    .map((m) => [m.collection.collectionName, m.schema.indexes()] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return `store:${createHash('sha256').update(JSON.stringify([layout, MIGRATIONS])).digest('hex').slice(0, 16)}`;
}

/** True when a process of this layout prepared the database (one read by `_id`). */
export async function storePrepared(conn: Connection, models: Models): Promise<boolean> {
  return Boolean(await models.Migration.findById(markerId(conn)).lean());
}

/** Migrations, then indexes (creating their collections), then the marker: a start cut short repeats it. */
export async function prepareStore(conn: Connection, models: Models): Promise<void> {
  const { knowledge, agents, sla } = registerAll(conn);
  await ensureIndexes(models);
  await migrateClocks(sla);
  for (const model of [...Object.values(knowledge), ...Object.values(agents), ...Object.values(sla)]) await model.createIndexes();
  await models.Migration.updateOne({ _id: markerId(conn) }, { $setOnInsert: { at: new Date() } }, { upsert: true })
    // Two gateways starting at once: FerretDB refuses the second upsert of the same marker as a duplicate key; the marker is written either way.
    .catch((err: unknown) => { if (!isDuplicateKey(err)) throw err; });
}
