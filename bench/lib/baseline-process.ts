/** Starts bench/scenarios/baseline-server.ts as its own process and waits for its port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BaselineProcess { pid: number; port: number; stop(): Promise<void> }

export function startBaselineServer(args: string[]): Promise<BaselineProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/scenarios/baseline-server.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`baseline server exited (${code})`)));
    child.stdout!.once('data', (d: Buffer) => resolve({
      pid: child.pid!, port: Number(d.toString().trim()),
      stop: () => new Promise<void>((done) => {
        if (child.exitCode !== null) { done(); return; }
        child.removeAllListeners('exit');
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
    }));
  });
}
