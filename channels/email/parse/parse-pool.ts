/**
 * Parses mail off the main thread, with a time budget per mail. A hostile mail can keep a parser
 * busy for minutes (mailparser and the body patterns are linear in theory, megabytes in practice);
 * here it only busies a worker, while the event loop keeps serving HTTP, LMTP, IMAP and the
 * outbox. A worker over budget is terminated and replaced, and the mail is rejected with code
 * PARSE_TIMEOUT, which the intake quarantines.
 *
 * A small pool (two workers) is started on first use and reused; idle workers do not keep the
 * process alive (`unref`), so a one-shot command like `helpdesk pipe` exits when it is done.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCodes, MalformedInputError, type ErrorCode } from '../../../src/core/index.ts';
import type { ParseOptions, ParsedInbound } from './mail.parser.ts';

const POOL_SIZE = 2;
const ENTRY = new URL('./parse-worker.mjs', import.meta.url);

interface Job {
  id: number;
  raw: Buffer;
  options: ParseOptions;
  timeoutMs: number;
  resolve(result: ParsedInbound): void;
  reject(err: Error): void;
}

type Reply = { id: number; ok: true; result: ParsedInbound } | { id: number; ok: false; error: { message: string; code?: string } };

const QUARANTINE_CODES: readonly string[] = [ErrorCodes.MALFORMED, ErrorCodes.TOO_LARGE];

function errorFrom(error: { message: string; code?: string }): Error {
  return error.code && QUARANTINE_CODES.includes(error.code) ? new MalformedInputError(error.message, error.code as ErrorCode) : new Error(error.message);
}

class ParseWorker {
  readonly worker = new Worker(ENTRY);
  ready = false;
  job: Job | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: ParsePool) {
    this.worker.unref();
    this.worker.on('message', (msg: { ready: true } | Reply) => {
      if ('ready' in msg) {
        this.ready = true;
        this.pool.dispatch();
      } else if (this.job && msg.id === this.job.id) {
        const job = this.finish();
        if (msg.ok) job.resolve(msg.result);
        else job.reject(errorFrom(msg.error));
      }
    });
    this.worker.on('error', (err) => this.fail(new Error(`mail parser failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`mail parser exited with code ${code}`)));
  }

  start(job: Job): void {
    this.job = job;
    this.worker.ref();
    // The budget starts when the worker has the mail, not while it waits in the queue.
    this.timer = setTimeout(() => {
      this.fail(new MalformedInputError(`parse-timeout: parsing took longer than ${job.timeoutMs} ms`, ErrorCodes.PARSE_TIMEOUT));
    }, job.timeoutMs);
    const copy = new Uint8Array(job.raw);
    this.worker.postMessage({ id: job.id, raw: copy, options: job.options }, [copy.buffer]);
  }

  private finish(): Job {
    const job = this.job!;
    clearTimeout(this.timer);
    this.job = undefined;
    this.worker.unref();
    this.pool.dispatch();
    return job;
  }

  /** Ends this worker for good (timed out, crashed or exited) and fails its mail, if any. */
  private fail(err: Error): void {
    if (!this.pool.remove(this)) return;
    void this.worker.terminate();
    // A worker that cannot even start would fail every replacement too: the waiting mails fail
    // (as an error, not as bad mail) instead of spawning workers forever.
    if (!this.ready) return this.pool.rejectWaiting(err);
    if (this.job) this.finish().reject(err);
    else this.pool.dispatch();
  }

  terminate(): Promise<number> {
    this.pool.remove(this);
    return this.worker.terminate();
  }
}

class ParsePool {
  private readonly workers: ParseWorker[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  parse(raw: Buffer, options: ParseOptions, timeoutMs: number): Promise<ParsedInbound> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, raw, options, timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  dispatch(): void {
    while (this.queue.length) {
      const idle = this.workers.find((w) => w.ready && !w.job);
      if (!idle) {
        if (this.workers.length < POOL_SIZE) this.workers.push(new ParseWorker(this));
        return;
      }
      idle.start(this.queue.shift()!);
    }
  }

  /** Starts workers up to the pool's size, so none has to start while a mail waits. */
  warm(): void {
    while (this.workers.length < POOL_SIZE) this.workers.push(new ParseWorker(this));
  }

  rejectWaiting(err: Error): void {
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  /** Forgets a worker; false when it was already gone. */
  remove(worker: ParseWorker): boolean {
    const at = this.workers.indexOf(worker);
    if (at < 0) return false;
    this.workers.splice(at, 1);
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }
}

let pool: ParsePool | undefined;

/** Parses `raw` in a pooled worker; rejects with PARSE_TIMEOUT when it takes longer than `timeoutMs`. */
export function parseInWorker(raw: Buffer, options: ParseOptions, timeoutMs: number): Promise<ParsedInbound> {
  pool ??= new ParsePool();
  return pool.parse(raw, options, timeoutMs);
}

/** Starts the pool's workers ahead of the first mail (a gateway that takes mail calls it at start). */
export function warmParseWorkers(): void {
  pool ??= new ParsePool();
  pool.warm();
}

/** Stops the pool's workers (a new pool starts on the next parse). */
export async function closeParseWorkers(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}
