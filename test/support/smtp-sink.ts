/**
 * An in-process SMTP server that records every message it accepts, for tests of
 * outbound mail. Listens on a free loopback port, plaintext only (no STARTTLS),
 * AUTH optional (any credentials are accepted), DSN advertised.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

const HOST = '127.0.0.1';

/** One message as the sink received it. */
export interface SinkMessage {
  /** SMTP envelope; `from` is `''` for the null sender `<>`. */
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  /** When the sink accepted it (just before answering 250). */
  receivedAt: number;
}

/** A running SMTP sink. */
export interface SmtpSink {
  /** Always `127.0.0.1`. */
  readonly host: string;
  readonly port: number;
  /** Messages accepted so far, in arrival order. */
  readonly messages: SinkMessage[];
  /** SMTP sessions opened so far (a login check is one too). */
  connections(): number;
  /** Resolves with all messages once at least `count` have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  /** Reply `451` to the next `n` DATA commands (the message is then not recorded). */
  setFailNext(n: number): void;
  stop(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Return true to reject a recipient with `550` at RCPT TO. */
  rejectRecipients?: (addr: string) => boolean;
  /** Reply `451` to the next N DATA commands. */
  failNext?: number;
  /** A fixed port (e.g. to bring a stopped peer back where the gateway expects it); default: a free one. */
  port?: number;
}

/** Starts an SMTP sink on a free loopback port. */
export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const waiters = new Set<() => void>();
  let failNext = opts.failNext ?? 0;
  let connections = 0;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    hideDSN: false,
    logger: false,
    // stop() should not wait 30 s for a client that keeps its connection open.
    closeTimeout: 1000,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (opts.rejectRecipients?.(address.address)) {
        callback(Object.assign(new Error(`5.1.1 <${address.address}>: recipient rejected`), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.once('error', callback);
      stream.once('end', () => {
        if (failNext > 0) {
          failNext--;
          callback(Object.assign(new Error('4.3.0 Temporary failure (smtp-sink failNext)'), { responseCode: 451 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        const { mailFrom, rcptTo } = session.envelope;
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              envelope: { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address) },
              raw,
              parsed,
              receivedAt: Date.now(),
            });
            for (const wake of waiters) wake();
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  // A client that dies inside a mail transaction (a gateway SIGKILLed while sending) surfaces as a
  // server 'error' (ECONNRESET); without a listener it would crash the test process. Its message
  // never got a 250, so it is not recorded and the client sends it again: nothing to do here.
  server.on('error', () => {});

  return {
    host: HOST,
    port,
    messages,
    connections: () => connections,
    waitFor(count, timeoutMs = 20_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(messages);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`smtp-sink: expected ${count} message(s) within ${timeoutMs} ms, ${messages.length} arrived`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    setFailNext(n) {
      failNext = n;
    },
    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
