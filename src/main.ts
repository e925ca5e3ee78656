/**
 * The gateway process: load and validate config, pick the database, start everything, and shut
 * down gracefully on SIGINT/SIGTERM (channels stop taking mail, in-flight work finishes).
 */
import { ConfigError, loadConfig, redactConfig, type AppConfig } from '../config/index.ts';
import { launchDatabase } from './infra/db/database.launcher.ts';
import { createLogger } from './infra/logger.ts';
import { EXIT } from './cli/exit-codes.ts';
import { createGateway } from './gateway.ts';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig({ generateSecrets: true });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`helpdesk: ${err.message}\n`);
      process.exit(EXIT.CONFIG);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  logger.info({ config: redactConfig(config) }, 'starting');
  if (config.secretsFile) {
    // Say where, never what: the token itself stays in the owner-only file.
    logger.warn({ secretsFile: config.secretsFile }, `HELPDESK_SECRET/ADMIN_TOKEN not set: using the generated ones in ${config.secretsFile} (the admin token is "adminToken" there)`);
  }
  const db = await launchDatabase(config.database, logger.child({ component: 'database' }));
  logger.info({ kind: db.kind }, 'database ready');
  const gateway = await createGateway(config, db.uri, logger);
  await gateway.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(EXIT.FAILED), 15_000);
    force.unref();
    await gateway.stop().catch((err) => logger.error({ err }, 'stop failed'));
    await db.stop().catch((err) => logger.error({ err }, 'database stop failed'));
    process.exit(EXIT.OK);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`helpdesk: failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(EXIT.FAILED);
});
