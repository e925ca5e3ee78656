/**
 * A FerretDB of the fault test's own, so the test can kill it (SIGKILL, like a crashed or
 * unplugged database) and bring it back on the same port and data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFerretDb } from '../../../src/infra/db/database.launcher.ts';
import { freePort, waitForPort } from '../../../src/infra/db/tcp-ports.ts';

export interface KillableDatabase {
  readonly uri: string;
  /** SIGKILLs the server; resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves when it accepts connections. */
  restart(): Promise<void>;
  /** Stops it for good and deletes its data. */
  dispose(): Promise<void>;
}

export async function startKillableFerretDb(): Promise<KillableDatabase> {
  const binary = findFerretDb();
  if (!binary) throw new Error('ferretdb is not installed: npm run install:ferretdb');
  const dir = await mkdtemp(join(tmpdir(), 'faults-ferretdb-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const gone = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

  const start = async (): Promise<void> => {
    const c = spawn(binary, [
      '--handler=sqlite', `--sqlite-url=file:${dir}/`, `--listen-addr=127.0.0.1:${port}`, `--state-dir=${dir}`,
      '--debug-addr=-', '--telemetry=disable', '--log-level=error',
    ], { stdio: 'ignore' });
    child = c;
    await waitForPort(port, 20_000);
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || gone(c)) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  const onExit = (): void => void child?.kill('SIGKILL');
  process.once('exit', onExit);
  await start();
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    kill,
    restart: start,
    dispose: async () => {
      process.off('exit', onExit);
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
