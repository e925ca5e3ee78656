/**
 * Named points at which the process can be told to kill itself (SIGKILL, no cleanup), so tests
 * can prove that a crash at that instant loses nothing and duplicates nothing. In production the
 * set is empty and `crashPoint` is a Set lookup. A point may carry a count: `after-message-insert:3`
 * fires on the third time it is reached.
 *
 * Fault points are the same seam for errors instead of kills: `fail@<point>:<n>` makes the first n
 * passes through `faultPoint(<point>)` throw an ordinary error (bad input, a bug), `flaky@<point>:<n>`
 * a TransientError (as a store failure would). Tests use them to prove that a message whose ingest
 * keeps failing is quarantined and its channel moves on.
 */
import { TransientError } from './errors.ts';

const armed = new Map<string, number>();
const faults = new Map<string, { transient: boolean; left: number }>();

export function armCrashPoints(points: readonly string[]): void {
  armed.clear();
  faults.clear();
  for (const spec of points) {
    const fault = /^(fail|flaky)@([^:]+)(?::(\d+))?$/.exec(spec);
    if (fault) {
      faults.set(fault[2]!, { transient: fault[1] === 'flaky', left: Math.max(1, Number(fault[3]) || 1) });
      continue;
    }
    const [name, count] = spec.split(':');
    if (name) armed.set(name, Math.max(1, Number(count) || 1));
  }
}

export function crashPoint(name: string): void {
  const left = armed.get(name);
  if (left === undefined) return;
  if (left > 1) {
    armed.set(name, left - 1);
    return;
  }
  process.kill(process.pid, 'SIGKILL');
}

export function faultPoint(name: string): void {
  const fault = faults.get(name);
  if (!fault || fault.left <= 0) return;
  fault.left--;
  const message = `injected fault at ${name}`;
  throw fault.transient ? new TransientError(message) : new Error(message);
}
