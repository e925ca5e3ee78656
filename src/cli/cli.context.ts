/**
 * What every CLI command needs: validated config, a logger on stderr, the database of the running
 * gateway (MONGODB_URI or the embedded one it announced in the data dir), and the core on it.
 */
import type { Connection } from 'mongoose';
import { loadConfig, type AppConfig } from '../../config/index.ts';
import { TransientError } from '../core/index.ts';
import { resolveDatabaseUri } from '../infra/db/database.launcher.ts';
import { connectMongo } from '../infra/db/mongo.connection.ts';
import { createLogger } from '../infra/logger.ts';
import { buildCore, type Core } from '../core.composition.ts';

export interface CliContext {
  config: AppConfig;
  conn: Connection;
  /** Only the email channel is built: no command uses another, and loading them costs every call. */
  core: Core<'email'>;
  close(): Promise<void>;
}

export async function openCliContext(): Promise<CliContext> {
  const config = loadConfig({ generateSecrets: true });
  const logger = createLogger(config.logLevel);
  const uri = resolveDatabaseUri(config.database);
  if (!uri) throw new TransientError('no database: set MONGODB_URI, or start the gateway (npm start) first');
  let conn: Connection;
  try {
    // A command is short-lived: the gateway creates collections and indexes at its start.
    conn = await connectMongo(uri, config.database.dbName, config.database, { autoCreate: false });
  } catch (err) {
    throw new TransientError(`database unreachable: ${(err as Error).message}`, { cause: err });
  }
  const core = await buildCore(config, conn, logger, undefined, [], undefined, { store: 'if-unprepared', channels: ['email'] });
  return {
    config, conn, core,
    async close() {
      // The SLA tracker writes a new ticket's clock after the ingest published its event, off the
      // ingest's path; closing first cut that write ("session that has ended"): piped tickets had no clock.
      await core.sla.tracker.idle();
      await conn.close();
    },
  };
}
