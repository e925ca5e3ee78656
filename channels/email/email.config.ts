/**
 * The email channel's config slice (`channels.email` in config/schema.ts, which must stay
 * assignable to this) and the factory the registry calls with it.
 */
import type { ChannelDeps } from '../../src/core/index.ts';
import { EmailChannel } from './email.adapter.ts';
import type { MailLimits } from './parse/mail.normalizer.ts';

export interface EmailChannelConfig {
  imap: {
    host?: string; port: number; user?: string; password?: string; tls: boolean; mailbox: string;
    drainIntervalMs: number; leaseMs: number; reconnectMinMs: number; reconnectMaxMs: number;
  };
  smtp: { host?: string; port: number; user?: string; password?: string; tls: boolean; verifyIntervalMs: number };
  lmtp: { port?: number; host: string };
  limits: MailLimits;
  /** authserv-ids whose Authentication-Results headers are believed (our own MTA's). */
  trustedAuthservIds: readonly string[];
}

/** Each part runs only when configured: IMAP with host and user, SMTP with a host, LMTP with a port. */
export function createEmailChannel(config: EmailChannelConfig, deps: ChannelDeps): EmailChannel {
  const { imap, smtp, lmtp } = config;
  return new EmailChannel({
    supportAddress: deps.supportAddress,
    limits: config.limits,
    trustedAuthservIds: config.trustedAuthservIds,
    ...(imap.host && imap.user ? { imap: { ...imap, host: imap.host, user: imap.user } } : {}),
    ...(smtp.host ? { smtp: { ...smtp, host: smtp.host } } : {}),
    ...(lmtp.port !== undefined
      ? { lmtp: { host: lmtp.host, port: lmtp.port, acceptedAddresses: [deps.supportAddress, ...deps.ownAddresses] } }
      : {}),
  }, {
    blobs: deps.blobs, checkpoints: deps.checkpoints, logger: deps.logger.child({ channel: 'email' }),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
}
