/** The gateway's core on a test database of its own, without channels or HTTP, plus a mail intake. */
import { buildCore } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from './config.ts';
import { openTestDb } from './database.ts';

export async function openTestCore(label: string, env: Record<string, string> = {}) {
  const db = await openTestDb(label);
  const config = testConfig({ database: { dbName: db.dbName } }, env);
  const logger = createLogger('silent');
  const core = await buildCore(config, db.conn, logger);
  return {
    core,
    /** Takes one raw mail the way IMAP, the pipe and LMTP do. */
    intake: (raw: Buffer, source = 'test') => core.channels.email.intake(raw, source, core.ingest),
    drop: () => db.drop(),
  };
}
