/**
 * The bench's database: MONGODB_URI when set (then round trips are not counted), else FerretDB
 * (SQLite backend) started by the same launcher the tests and the gateway use, with its debug
 * handler open so we can read how many commands it received (`ferretdb_client_requests_total`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFerretDb, startFerretDb } from '../../src/infra/db/database.launcher.ts';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { createLogger } from '../../src/infra/logger.ts';

/** Connection upkeep, not work: the driver's heartbeats and handshakes. */
const UPKEEP = new Set(['hello', 'ismaster', 'isMaster', 'unknown', 'ping', 'endSessions', 'buildInfo', 'buildinfo']);

export interface BenchDatabase {
  uri: string;
  /** e.g. `FerretDB 1.24 (SQLite backend)` */
  description: string;
  /** Commands the server received so far (without connection upkeep); undefined when not countable. */
  commands(): Promise<number | undefined>;
  stop(): Promise<void>;
}

export async function startBenchDatabase(): Promise<BenchDatabase> {
  if (process.env.MONGODB_URI) {
    return { uri: process.env.MONGODB_URI, description: 'MONGODB_URI (server not counted)', commands: async () => undefined, stop: async () => {} };
  }
  const binary = findFerretDb(process.env.FERRETDB_BIN);
  if (!binary) throw new Error('no ferretdb binary: run `npm run install:ferretdb` (or set MONGODB_URI)');
  const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-bench-db-'));
  const debugPort = await freePort();
  const handle = await startFerretDb(binary, dataDir, createLogger('warn'), { debugPort });
  return {
    uri: handle.uri,
    description: `${ferretDbBuild(binary)}, SQLite backend (loopback)`,
    async commands() {
      const text = await (await fetch(`http://127.0.0.1:${debugPort}/debug/metrics`)).text();
      let total = 0;
      for (const m of text.matchAll(/^ferretdb_client_requests_total\{command="([^"]*)",opcode="OP_MSG"\} (\d+)/gm)) {
        if (!UPKEEP.has(m[1]!)) total += Number(m[2]);
      }
      return total;
    },
    async stop() {
      await handle.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `FerretDB v1.24.2 (build: helpdesk-sqlite-id-index)`: which FerretDB, and whether it is the build with
 * the `_id` index fix (scripts/install-ferretdb.sh) or a stock one, which scans tables for `_id`.
 */
function ferretDbBuild(binary: string): string {
  const text = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  const field = (name: string) => text.match(new RegExp(`^${name}: (.+)$`, 'm'))?.[1]?.trim();
  return `FerretDB ${field('version') ?? '1.24'} (build: ${field('package') ?? 'unknown'})`;
}
