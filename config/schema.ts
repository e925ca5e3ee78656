/**
 * The one schema of the gateway's configuration. `AppConfig` is inferred from it, so a
 * setting exists exactly when it is declared here (with its default in defaults.ts).
 */
import { z } from 'zod';
import { parseJson } from './json-env.ts';
import { slaSchema } from './sla.schema.ts';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  return v;
}, z.boolean());
const locale = z.enum(['en', 'id']);
const email = z.string().email();
const keyId = z.string().regex(/^[0-9a-z]$/, 'must be one character, 0-9 or a-z');
/** `2:oldsecret` -> { id: '2', secret: 'oldsecret' } (HELPDESK_PREVIOUS_SECRETS). */
const splitKeyed = (entry: string) => {
  const colon = entry.indexOf(':');
  return colon < 0 ? { id: '', secret: entry } : { id: entry.slice(0, colon), secret: entry.slice(colon + 1) };
};


export const configSchema = z.object({
  env: z.enum(['development', 'production', 'test']),
  port: z.coerce.number().int().min(0).max(65535),
  /** Interface the HTTP server listens on: loopback unless deliberately opened. */
  host: z.string().min(1),
  publicUrl: z.string().url(),
  /** Unset outside production: generated on the first start and kept in `<dataDir>/secrets.json`. */
  secret: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The key id tokens signed with `secret` carry (one character, 0-9 or a-z). */
  secretKeyId: keyId,
  /** Earlier secrets with their key ids: tokens they signed still verify after a rotation. */
  previousSecrets: z.preprocess(
    (v) => (Array.isArray(v) ? v.map((e) => (typeof e === 'string' ? splitKeyed(e) : e)) : v),
    z.array(z.object({
      id: z.string().regex(/^[0-9a-z]$/, 'each entry is <keyId>:<secret>, the key id one character 0-9 or a-z'),
      secret: z.string().min(16, 'must be at least 16 characters'),
    })),
  ),
  adminToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Set by the loader when the secrets came from the generated file: where it is. */
  secretsFile: z.string().optional(),
  supportAddress: email,
  /** Extra addresses that are ours: mail from them is never a new ticket. */
  ownAddresses: z.array(email),
  defaultLocale: locale,
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  database: z.object({
    uri: z.string().optional(),
    dataDir: z.string().min(1),
    /** Path of a ferretdb binary; found on PATH or in ~/go/bin when empty. */
    ferretdbBinary: z.string().optional(),
    dbName: z.string().min(1),
    /** How long a database call waits for a usable server before it fails as transient. */
    serverSelectionTimeoutMs: z.coerce.number().int().min(100),
    /** How long a database call may wait on its socket before it fails as transient. */
    socketTimeoutMs: z.coerce.number().int().min(1000),
  }),
  /** Name shown beside the support address on every mail we send. */
  supportName: z.string().min(1).max(100),
  /** How the core takes in a message, whatever the channel: poison mail, document bounds. */
  intake: z.object({
    /** A message whose ingest fails transiently this many times in a row, the same way, is quarantined. */
    maxIngestAttempts: z.coerce.number().int().min(1),
    /** Text or HTML bodies over this many bytes are stored as blobs; the message keeps a preview this long. */
    bodyPreviewBytes: z.coerce.number().int().min(1024).max(4 * 1024 * 1024),
    /** Participants one message can add (sender and Cc) and one ticket can have; the rest are recorded, the ticket flagged. */
    maxParticipantsPerMessage: z.coerce.number().int().min(1),
    maxParticipantsPerTicket: z.coerce.number().int().min(1),
  }),
  /** Ticket policy, whatever the channel. */
  tickets: z.object({
    /** A reply to a ticket closed longer ago than this opens a new, linked ticket. */
    reopenWindowMs: z.coerce.number().int().min(0),
    /** Statuses whose change notifies the customer on their channel (templates/status/<status>/). */
    statusUpdates: z.array(z.enum(['new', 'open', 'pending', 'resolved', 'closed'])),
  }),
  /** SLA policies, the business calendar they count in, warnings and breach escalation. */
  sla: slaSchema,
  /** Agents' notification mails (new ticket in their tier, assignment, customer reply, escalation). */
  agentNotifications: z.object({
    /** Every process looks for ticket events not yet fanned out to agents this often (and at once after its own events). */
    pollIntervalMs: z.coerce.number().int().min(100),
    /** Agent accounts are read at most this often per process (a change made on this process applies at once). */
    rosterTtlMs: z.coerce.number().int().min(0),
  }),
  knowledge: z.object({
    /** A new chat ticket's suggested articles become a chat line this long after the ticket opened. */
    chatSuggestionDelayMs: z.coerce.number().int().min(0).max(60_000),
  }),
  /** Redis (e.g. `redis://127.0.0.1:6379`): shared rate limits (and chat rooms) across gateway processes. */
  redisUrl: z.string().url().optional(),
  /** Agent sign-in: console sessions and login throttling. */
  auth: z.object({
    /** A console session ends this long after login. */
    sessionTtlMs: z.coerce.number().int().min(60_000),
    /** Failed logins per address and client within the window before further tries are refused (429). */
    loginMaxFailures: z.coerce.number().int().min(1),
    loginWindowMs: z.coerce.number().int().min(1000),
  }),
  /** One slice per channel in channels/registry.ts; each channel's factory receives its own. */
  channels: z.object({
    email: z.object({
      imap: z.object({
        host: z.string().optional(),
        port,
        user: z.string().optional(),
        password: z.string().optional(),
        tls: bool,
        mailbox: z.string().min(1),
        drainIntervalMs: z.coerce.number().int().min(1000),
        leaseMs: z.coerce.number().int().min(1000),
        reconnectMinMs: z.coerce.number().int().min(10),
        reconnectMaxMs: z.coerce.number().int().min(100),
      }),
      smtp: z.object({
        host: z.string().optional(),
        port,
        user: z.string().optional(),
        password: z.string().optional(),
        tls: bool,
        /** Least time between two background checks of the SMTP server (readiness never logs in itself). */
        verifyIntervalMs: z.coerce.number().int().min(1000),
        /** SMTP connections kept open and reused for outbound mail (1: one at a time). */
        poolSize: z.coerce.number().int().min(1).max(32),
      }),
      lmtp: z.object({
        /** Port of the optional LMTP listener (push delivery from an MTA); unset: no listener. */
        port: port.optional(),
        host: z.string().min(1),
      }),
      /** Agents' own addresses: with a valid reply token, their mail is an agent reply to the customer. */
      agentAddresses: z.array(email),
      /** authserv-ids of our own MTA: only their Authentication-Results headers are believed. */
      trustedAuthservIds: z.array(z.string().min(1)),
      limits: z.object({
        maxMessageBytes: z.coerce.number().int().min(1024),
        maxAttachmentBytes: z.coerce.number().int().min(1024),
        maxAttachments: z.coerce.number().int().min(0),
        /** Time one mail may take to parse (off the main thread) before it is quarantined as parse-timeout. */
        parseTimeoutMs: z.coerce.number().int().min(1),
      }),
      /** Limits on automatic mail, so two robots can never mail each other forever. */
      breakers: z.object({
        ackPerSenderLimit: z.coerce.number().int().min(0),
        ackPerSenderWindowMs: z.coerce.number().int().min(1000),
        /** Acknowledgements to one recipient domain per window (strangers only: known customers are exempt). */
        ackPerDomainLimit: z.coerce.number().int().min(0),
        ackPerDomainWindowMs: z.coerce.number().int().min(1000),
        /** Automatic messages on one ticket within the window that trip its breaker. */
        ticketBreakerLimit: z.coerce.number().int().min(1),
        ticketBreakerWindowMs: z.coerce.number().int().min(1000),
        /** Acknowledgements across all tickets within the window that trip the global breaker. */
        globalBreakerLimit: z.coerce.number().int().min(1),
        globalBreakerWindowMs: z.coerce.number().int().min(1000),
      }),
      /** How long a permanently failing address gets no automatic mail. */
      suppressionMs: z.coerce.number().int().min(0),
    }),
    chat: z.object({
      /** Websites that embed the chat (CHAT_SITES is this list as JSON). */
      sites: z.preprocess(parseJson, z.array(z.object({
        key: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 letters, digits, _ or -'),
        /** Origins (`https://shop.example`) whose pages may use this key; the gateway's own is always allowed. */
        origins: z.array(z.string().url()),
        /** Signs the site's logged-in users: identity.signature = hex HMAC-SHA256 of the email under it. */
        identitySecret: z.string().min(16, 'must be at least 16 characters').optional(),
      }))),
      /** Largest socket.io packet; a bigger one closes the connection (socket.io's maxHttpBufferSize). */
      maxHttpBufferSize: z.coerce.number().int().min(1024),
      /** Longest chat message, in characters. */
      maxTextLength: z.coerce.number().int().min(1).max(100_000),
      /** Events per socket per window, and messages per visitor (all their sockets) per window. */
      socketRate: z.object({ points: z.coerce.number().int().min(1), seconds: z.coerce.number().int().min(1) }),
      visitorRate: z.object({ points: z.coerce.number().int().min(1), seconds: z.coerce.number().int().min(1) }),
      /** Site key of the /chat/demo page, usable from the gateway's own pages only; unset: no demo page. */
      demoSiteKey: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1-64 letters, digits, _ or -').optional(),
      /** The gone visitor: agent lines they missed go out as one digest mail this long after the first. */
      offline: z.object({
        digestDelayMs: z.coerce.number().int().min(0),
        /** How often due digests are looked for. */
        digestPollIntervalMs: z.coerce.number().int().min(50),
      }),
    }),
    /** The web form at /support and POST /api/v1/forms/submit. */
    webform: z.object({
      enabled: bool,
      /** Choices of the category field; empty: the form has no category. */
      categories: z.array(z.string().min(1).max(60)),
      /** Extra fields (config file only): a name, a label per language, whether required, a length cap. */
      customFields: z.array(z.object({
        name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lowercase letters, digits and _, starting with a letter'),
        label: z.object({ en: z.string().min(1).max(100), id: z.string().min(1).max(100) }),
        required: z.boolean().default(false),
        maxLength: z.number().int().min(1).max(2000).default(200),
      })).max(20),
      attachments: z.object({
        maxFiles: z.coerce.number().int().min(0).max(20),
        maxFileBytes: z.coerce.number().int().min(1024),
        /** Content types a file may have (e.g. image/png); anything else is refused with 415. */
        allowedTypes: z.array(z.string().regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'a content type such as image/png')),
      }),
      /** A form sent sooner than this after it was served is refused (robots fill forms at once). */
      minFillMs: z.coerce.number().int().min(0),
      /** A form token older than this is refused; the page is served again with a fresh one. */
      formTokenTtlMs: z.coerce.number().int().min(60_000),
      rateLimit: z.object({
        perIpLimit: z.coerce.number().int().min(1),
        perIpWindowSec: z.coerce.number().int().min(1),
        perAddressLimit: z.coerce.number().int().min(1),
        perAddressWindowSec: z.coerce.number().int().min(1),
        /** Prefix of the Redis keys: gateways sharing one Redis but not their limits use different ones. */
        keyPrefix: z.string().min(1).max(100),
      }),
      /** Hold the acknowledgement until the address owner clicks a verification link. */
      verifyAddress: bool,
      statusLinkTtlMs: z.coerce.number().int().min(60_000),
      verifyLinkTtlMs: z.coerce.number().int().min(60_000),
    }),
  }),
  outbox: z.object({
    pollIntervalMs: z.coerce.number().int().min(10),
    maxAttempts: z.coerce.number().int().min(1),
    backoffBaseMs: z.coerce.number().int().min(10),
    backoffMaxMs: z.coerce.number().int().min(100),
    leaseMs: z.coerce.number().int().min(1000),
    /** Sends in flight at once per process (a ticket's entries still go one after another). */
    concurrency: z.coerce.number().int().min(1).max(64),
  }),
  metrics: z.object({
    /** Serve GET /metrics (Prometheus text format). */
    enabled: bool,
    /** When set, a scrape needs `Authorization: Bearer <token>`. */
    token: z.string().min(16, 'must be at least 16 characters').optional(),
  }),
  /** Test seam: named points at which the process kills itself (crash-safety tests). */
  crashPoints: z.array(z.string()),
});

type ParsedConfig = z.infer<typeof configSchema>;
/** The loaded configuration: the secrets are always there (given, or generated on a first start). */
export type AppConfig = Omit<ParsedConfig, 'secret' | 'adminToken'> & { secret: string; adminToken: string };

/** Config keys whose values never reach a log line. */
export const secretKeys = ['secret', 'adminToken', 'previousSecrets', 'channels.email.imap.password', 'channels.email.smtp.password', 'database.uri', 'metrics.token', 'redisUrl', 'channels.chat.sites'] as const;
