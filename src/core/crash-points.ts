/**
 * Named points at which the process can be told to kill itself (SIGKILL, no cleanup), so tests
 * can prove that a crash at that instant loses nothing and duplicates nothing. In production the
 * set is empty and `crashPoint` is a Set lookup. A point may carry a count: `after-message-insert:3`
 * fires on the third time it is reached.
 */
const armed = new Map<string, number>();

export function armCrashPoints(points: readonly string[]): void {
  armed.clear();
  for (const spec of points) {
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
