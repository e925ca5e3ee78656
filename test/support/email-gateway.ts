/**
 * An in-process gateway consuming a private Dovecot mailbox and sending to an SMTP sink, with the
 * helpers email tests share: an authorized API client and "wait until this mail is fully stored".
 */
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/infra/logger.ts';
import type { StoredMessage } from '../../src/core/index.ts';
import { testConfig } from './config.ts';
import { mongoUri, testDbName } from './database.ts';
import { startDovecot, type DovecotServer } from './dovecot.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { waitUntil } from './skip.ts';
import { stopGateway } from './teardown.ts';

export interface EmailGateway {
  dovecot: DovecotServer;
  sink: SmtpSink;
  gateway: Gateway;
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Resolves when the mail is stored with its ticket, audit event and follow-up mail. */
  stored(messageId: string, timeoutMs?: number): Promise<StoredMessage>;
  stop(): Promise<void>;
}

/**
 * `email` overrides settings of the `channels.email` slice; `others` any other top-level settings
 * (its `channels` are other channels' slices, e.g. chat sites, kept beside the email slice).
 */
export async function startEmailGateway(user: string, email: Record<string, unknown> = {}, others: Record<string, unknown> = {}): Promise<EmailGateway> {
  const dovecot = await startDovecot();
  const sink = await startSmtpSink();
  const { channels: otherChannels = {}, ...rest } = others as { channels?: Record<string, unknown> };
  const config = testConfig({
    database: { dbName: testDbName(user) },
    channels: { ...otherChannels, email: {
      imap: { host: dovecot.host, port: dovecot.imapPort, tls: false, user, password: dovecot.password, drainIntervalMs: 1000, reconnectMinMs: 100, reconnectMaxMs: 1000 },
      smtp: { host: sink.host, port: sink.port, tls: false },
      ...email,
    } },
    outbox: { pollIntervalMs: 200 },
    ...rest,
  });
  const gateway = await createGateway(config, mongoUri(), createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  await gateway.start();
  // The consumer connects in the background; a user's first mail simply waits for it.
  await waitUntil(async () => (await gateway.readiness()).email?.ok, 'the IMAP consumer to connect', 90_000);
  const base = `http://127.0.0.1:${gateway.httpPort()}`;
  return {
    dovecot, sink, gateway,
    api: (path, init = {}) => fetch(`${base}${path}`, {
      ...init, headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
    }),
    stored: (messageId, timeoutMs = 60_000) => {
      const id = messageId.replace(/^<|>$/g, '');
      return waitUntil(async () => {
        const m = await gateway.repos.messages.byExternalId('email', id);
        return m?.complete ? m : null;
      }, `${id} stored`, timeoutMs);
    },
    stop: async () => {
      await stopGateway(gateway, sink);
      await dovecot.stop();
    },
  };
}
