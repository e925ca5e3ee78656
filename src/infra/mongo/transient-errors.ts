/**
 * The one place that knows which database driver errors mean "the store is not there right now":
 * every repository is wrapped so such errors reach the core as its TransientError (try again
 * later), and everything else passes through unchanged.
 */
import { StoreUnavailableError, TransientError } from '../../core/index.ts';

const DRIVER_NAMES = /MongoNetwork|MongoServerSelection|MongoNotConnected|MongoTopologyClosed|PoolClosed|PoolCleared|MongooseServerSelection/;
// Driver and mongoose messages (not outside input); bounded all the same.
const DRIVER_MESSAGES = /buffering timed out|ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|connection\b[^\n]{0,200}\bclosed|Client must be connected/i;

type DriverError = { name?: string; message?: string; cause?: unknown; hasErrorLabel?: (label: string) => boolean };

/** A store outage, by the error's name, the driver's retry labels, its message, or its cause's. */
export function isStoreOutage(err: unknown, depth = 0): boolean {
  if (err instanceof TransientError) return true;
  const e = err as DriverError | undefined;
  if (DRIVER_NAMES.test(e?.name ?? '')) return true;
  // The driver labels errors a retry can cure (a reset pool, a dropped primary).
  if (typeof e?.hasErrorLabel === 'function' && (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('ResetPool'))) return true;
  if (DRIVER_MESSAGES.test((e?.message ?? '').slice(0, 1000))) return true;
  return depth < 3 && e?.cause !== undefined && isStoreOutage(e.cause, depth + 1);
}

export function asTransient(err: unknown): unknown {
  if (err instanceof TransientError || !isStoreOutage(err)) return err;
  return new StoreUnavailableError(`store unavailable: ${(err as Error).message}`, { cause: err });
}

/** The same object, with every method's thrown or rejected driver error translated. */
export function translateErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
          return result instanceof Promise ? result.catch((err: unknown) => { throw asTransient(err); }) : result;
        } catch (err) {
          throw asTransient(err);
        }
      };
    },
  });
}
