/**
 * Chooses and, when needed, starts the database:
 *   1. MONGODB_URI when set (any MongoDB 6+ deployment, or a FerretDB you run);
 *   2. else the embedded mongodb-memory-server (downloads mongod on first use; data under dataDir);
 *   3. else a local `ferretdb` binary (scripts/install-ferretdb.sh), started on a free loopback
 *      port with its SQLite backend under dataDir.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from '../../core/index.ts';
import { freePort, waitForPort } from './tcp-ports.ts';

export interface DatabaseSettings {
  uri?: string;
  dataDir: string;
  ferretdbBinary?: string;
}

export interface DatabaseHandle {
  uri: string;
  kind: 'uri' | 'mongodb-memory-server' | 'ferretdb';
  stop(): Promise<void>;
}

/** Where a running gateway tells its CLI (`helpdesk pipe`, ...) which embedded database it started. */
const uriFile = (dataDir: string) => resolve(dataDir, 'database-uri');

/** The URI the CLI should use: MONGODB_URI, else the embedded database of a running gateway. */
export function resolveDatabaseUri(settings: DatabaseSettings): string | undefined {
  if (settings.uri) return settings.uri;
  try {
    return readFileSync(uriFile(settings.dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function launchDatabase(settings: DatabaseSettings, logger: Logger): Promise<DatabaseHandle> {
  if (settings.uri) return { uri: settings.uri, kind: 'uri', stop: async () => {} };
  const handle = await launchEmbedded(settings, logger);
  mkdirSync(settings.dataDir, { recursive: true });
  writeFileSync(uriFile(settings.dataDir), `${handle.uri}\n`);
  return {
    ...handle,
    stop: async () => {
      rmSync(uriFile(settings.dataDir), { force: true });
      await handle.stop();
    },
  };
}

async function launchEmbedded(settings: DatabaseSettings, logger: Logger): Promise<DatabaseHandle> {
  try {
    return await startMemoryServer(settings.dataDir);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'mongodb-memory-server could not start; trying a local ferretdb');
  }
  const binary = findFerretDb(settings.ferretdbBinary);
  if (!binary) {
    throw new Error('No database: MONGODB_URI is not set, mongodb-memory-server could not start, and no ferretdb binary '
      + 'was found (run `npm run install:ferretdb`, or set MONGODB_URI).');
  }
  return startFerretDb(binary, settings.dataDir, logger);
}

async function startMemoryServer(dataDir: string): Promise<DatabaseHandle> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const dbPath = resolve(dataDir, 'mongodb');
  mkdirSync(dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger' } });
  return { uri: server.getUri(), kind: 'mongodb-memory-server', stop: async () => { await server.stop({ doCleanup: false }); } };
}

export function findFerretDb(configured?: string): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v ferretdb'], { encoding: 'utf8' }).stdout?.trim();
  const candidates = [configured, onPath, join(homedir(), 'go', 'bin', 'ferretdb')];
  return candidates.find((c): c is string => Boolean(c && existsSync(c)));
}

/**
 * Starts FerretDB with the SQLite backend; resolves when it accepts connections. `debugPort` opens
 * FerretDB's debug handler (Prometheus `/debug/metrics`, e.g. commands received) on that loopback
 * port; the benchmark counts database round trips there.
 */
export async function startFerretDb(binary: string, dataDir: string, logger: Logger, options: { debugPort?: number } = {}): Promise<DatabaseHandle> {
  const dir = resolve(dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn(binary, [
    '--handler=sqlite', `--sqlite-url=file:${dir}/`, `--listen-addr=127.0.0.1:${port}`, `--state-dir=${dir}`,
    // Without --debug-addr=- every instance binds 127.0.0.1:8088 and a second one dies.
    options.debugPort ? `--debug-addr=127.0.0.1:${options.debugPort}` : '--debug-addr=-', '--telemetry=disable', '--log-level=error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`ferretdb exited (${code}): ${stderr}`))));
  exited.catch(() => {});
  await Promise.race([waitForPort(port, 20_000), exited]);
  logger.info({ port, dir }, 'ferretdb started');
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    kind: 'ferretdb',
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
