/**
 * The one place that knows which database driver errors mean "the store is not there right now":
 * every repository is wrapped so such errors reach the core as its TransientError (try again
 * later), and everything else passes through unchanged.
 */
import { TransientError } from '../../core/index.ts';

const DRIVER_NAMES = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError',
  'MongoTopologyClosedError', 'PoolClosedError', 'MongooseServerSelectionError',
]);
// Driver and mongoose messages (not outside input); bounded all the same.
const DRIVER_MESSAGES = /buffering timed out|ECONNREFUSED|ECONNRESET|connection\b[^\n]{0,200}\bclosed|Client must be connected/i;

export function asTransient(err: unknown): unknown {
  if (err instanceof TransientError) return err;
  const { name = '', message = '' } = (err ?? {}) as { name?: string; message?: string };
  if (DRIVER_NAMES.has(name) || DRIVER_MESSAGES.test(message.slice(0, 1000))) {
    return new TransientError(`store unavailable: ${message}`, { cause: err });
  }
  return err;
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
