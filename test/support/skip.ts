/**
 * Outside CI a test whose real server cannot start is skipped loudly; under CI=true it runs and
 * fails, so CI can never pass by skipping.
 */
export function skipUnless(available: boolean, what: string, file: string): boolean {
  if (available || process.env.CI === 'true') return false;
  process.stderr.write(`\n[${file}] SKIPPING: ${what} is not available on this machine\n`);
  return true;
}

/** Polls until `check` returns a truthy value, or fails with `what` after the timeout. */
export async function waitUntil<T>(check: () => Promise<T> | T, what: string, timeoutMs = 30_000, everyMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
