/**
 * The one path every raw mail takes, whichever way it arrived (IMAP, pipe, LMTP): normalize, then
 * ingest; input that cannot be a mail, or that takes longer than its budget to parse (reason
 * `parse-timeout`), is quarantined with its raw bytes instead. Transient store
 * failures propagate, so the caller can signal "try again" (no checkpoint, exit 75, SMTP 4xx).
 */
import { HelpdeskError, ErrorCodes, isTransient, TransientError, type IngestResult, type IntakeSink, type Logger } from '../../src/core/index.ts';
import { normalizeMail, type NormalizeContext } from './parse/mail.normalizer.ts';

export interface MailIntakeDeps {
  sink: IntakeSink;
  context: Omit<NormalizeContext, 'lenient'>;
  logger: Logger;
}

export interface IntakeOptions {
  /** Accept mail that fails structure and size checks (an admin's forced retry). */
  lenient?: boolean;
}

export async function intakeRawMail(raw: Buffer, source: string, deps: MailIntakeDeps, options: IntakeOptions = {}): Promise<IngestResult> {
  return (await prepareRawMail(raw, source, deps, options))();
}

/**
 * The first half of `intakeRawMail`: parse and store the blobs, without filing anything. What it
 * returns files the mail (or quarantines it) when called; it never rejects itself, so a consumer can
 * prepare the next mails while it files this one and still file them strictly in order.
 */
export async function prepareRawMail(raw: Buffer, source: string, deps: MailIntakeDeps, options: IntakeOptions = {}): Promise<() => Promise<IngestResult>> {
  let message;
  try {
    message = await normalizeMail(raw, { ...deps.context, ...options });
  } catch (err) {
    return () => refused(err, raw, source, deps);
  }
  return () => deps.sink.ingest({ ...message, source });
}

async function refused(err: unknown, raw: Buffer, source: string, deps: MailIntakeDeps): Promise<IngestResult> {
  const code = (err as HelpdeskError).code;
  // Storing attachments can fail because the store is away: that is "try later", not bad mail.
  if (isTransient(err)) throw new TransientError(`store unavailable: ${(err as Error).message}`, { cause: err });
  // Anything else that makes normalizing fail (a parser bug, a value it chokes on) would fail the
  // same way on every retry: keep the mail and move on rather than block the channel behind it.
  const known = code === ErrorCodes.MALFORMED || code === ErrorCodes.TOO_LARGE || code === ErrorCodes.PARSE_TIMEOUT;
  const reason = known ? (err as Error).message : `normalize failed: ${(err as Error).name}: ${(err as Error).message}`.slice(0, 500);
  const q = await deps.sink.quarantine({ channel: 'email', raw, reason, source });
  deps.logger.warn({ quarantine: q.id, reason, source }, 'mail quarantined');
  return { outcome: 'quarantined', reason };
}
