/** A submission turned away before intake, with its HTTP status and a stable code (see strings.json `errors`). */
export class WebformRejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** Values for the message's placeholders (limits). */
    readonly vars: Record<string, string | number> = {},
    /** Seconds until a retry can succeed (rate limits, outages). */
    readonly retryAfterSec?: number,
  ) {
    super(code);
    this.name = 'WebformRejection';
  }
}
