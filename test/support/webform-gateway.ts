/**
 * An in-process gateway with the web form and an SMTP sink for its acknowledgements, plus what the
 * web form tests share: a valid form token (served 10 s ago), submit helpers and the agent API.
 */
import { signFormToken } from '../../channels/webform/form-token.ts';
import { createGateway, tokenKeys, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { testConfig } from './config.ts';
import { mongoUri, testDbName } from './database.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { stopGateway } from './teardown.ts';

export interface WebformGateway {
  gateway: Gateway;
  sink: SmtpSink;
  base: string;
  /** A form token issued `agoMs` ago (default 10 s: past the minimum fill time). */
  formToken(agoMs?: number): string;
  /** POSTs JSON to /api/v1/forms/submit. */
  submitJson(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  /** Calls the agent API with the admin token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** `logs`, when given, collects the gateway's log lines (at info level) for tests that read them. */
/** `driver` adds MongoDB URI options, e.g. `{ monitorCommands: true }` for tests that count commands. */
export async function startWebformGateway(
  name: string, webform: Record<string, unknown> = {}, others: Record<string, unknown> = {}, logs?: string[], driver: Record<string, string | boolean> = {},
): Promise<WebformGateway> {
  const sink = await startSmtpSink();
  const config = testConfig({
    database: { dbName: testDbName(name) },
    channels: {
      email: { smtp: { host: sink.host, port: sink.port, tls: false } },
      webform: { rateLimit: { perIpLimit: 1000, perIpWindowSec: 3600, perAddressLimit: 100, perAddressWindowSec: 3600, keyPrefix: `test:${testDbName(name)}` }, ...webform },
    },
    outbox: { pollIntervalMs: 200 },
    ...others,
  });
  const logger = logs ? createLogger('info', { write: (line: string) => { logs.push(line); } }) : createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const uri = new URL(mongoUri());
  for (const [key, value] of Object.entries(driver)) uri.searchParams.set(key, String(value));
  const gateway = await createGateway(config, uri.toString(), logger);
  await gateway.start();
  const base = `http://127.0.0.1:${gateway.httpPort()}`;
  const keys = tokenKeys(config);
  return {
    gateway, sink, base,
    formToken: (agoMs = 10_000) => signFormToken(keys, new Date(Date.now() - agoMs)),
    submitJson: (body, headers = {}) => fetch(`${base}/api/v1/forms/submit`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
    }),
    api: (path, init = {}) => fetch(`${base}${path}`, {
      ...init, headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    }),
    stop: async () => {
      await stopGateway(gateway, sink);
    },
  };
}

/** The status link in an acknowledgement mail's text. */
export function statusLinkIn(text: string | undefined): string {
  const match = /https?:\/\/\S+\/support\/t\/\S+/.exec(text ?? '');
  if (!match) throw new Error(`no status link in: ${text}`);
  return match[0];
}
