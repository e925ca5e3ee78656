/** Errors with stable codes. Callers branch on `code`, never on message text. */

export const ErrorCodes = {
  /** The store is unreachable or timed out: the sender should retry later. */
  TRANSIENT: 'E_TRANSIENT',
  /** The input can never be processed as it is: quarantine it. */
  MALFORMED: 'E_MALFORMED',
  TOO_LARGE: 'E_TOO_LARGE',
  /** The input took longer than its time budget to parse: quarantine it. */
  PARSE_TIMEOUT: 'E_PARSE_TIMEOUT',
  /** A delivery failed for good (5xx): do not retry. */
  DELIVERY_PERMANENT: 'E_DELIVERY_PERMANENT',
  DELIVERY_TRANSIENT: 'E_DELIVERY_TRANSIENT',
  NOT_FOUND: 'E_NOT_FOUND',
  /** The change collides with what is stored (e.g. an address another account has). */
  CONFLICT: 'E_CONFLICT',
  /** A request's value breaks a rule (e.g. a password too short). */
  INVALID: 'E_INVALID',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class HelpdeskError extends Error {
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HelpdeskError';
  }
}

export class TransientError extends HelpdeskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.TRANSIENT, message, options);
  }
}

export class MalformedInputError extends HelpdeskError {
  constructor(message: string, code: ErrorCode = ErrorCodes.MALFORMED) {
    super(code, message);
  }
}

export class DeliveryError extends HelpdeskError {
  constructor(readonly permanent: boolean, message: string, options?: { cause?: unknown }) {
    super(permanent ? ErrorCodes.DELIVERY_PERMANENT : ErrorCodes.DELIVERY_TRANSIENT, message, options);
  }
}

/**
 * The database itself is unreachable (infra translates driver outage errors into this). Unlike
 * other transient failures, an outage is never counted against a message: it is not the message's
 * fault, and counting it would quarantine good mail while the database comes back.
 */
export class StoreUnavailableError extends TransientError {}

export function isStoreUnavailable(err: unknown, depth = 0): boolean {
  if (err instanceof StoreUnavailableError) return true;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return depth < 3 && cause !== undefined && isStoreUnavailable(cause, depth + 1);
}

/**
 * The store is not there right now, rather than this input is bad. Infra translates driver errors
 * into TransientError (src/infra/mongo/transient-errors.ts), so the code (here or on a cause) is
 * all the core checks.
 */
export function isTransient(err: unknown, depth = 0): boolean {
  if (err instanceof TransientError || (err as HelpdeskError | undefined)?.code === ErrorCodes.TRANSIENT) return true;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return depth < 3 && cause !== undefined && isTransient(cause, depth + 1);
}
