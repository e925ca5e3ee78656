/**
 * Starts the test database once per run: MONGODB_URI when set, else mongodb-memory-server, else a
 * local ferretdb binary (scripts/install-ferretdb.sh). Test files get the URI with inject('mongoUri')
 * and use a database of their own (test/support/database.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { launchDatabase } from '../../src/infra/db/database.launcher.ts';
import { createLogger } from '../../src/infra/logger.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-testdb-'));
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  const db = await launchDatabase({ uri: process.env.MONGODB_URI, dataDir }, logger);
  process.stderr.write(`[test database] ${db.kind} at ${db.uri.replace(/\/\/[^@/]*@/, '//')}\n`);
  project.provide('mongoUri', db.uri);
  project.provide('mongoKind', db.kind);
  return async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
