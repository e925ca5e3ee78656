/**
 * Every default of the gateway, in one place. Values here make `npm start` work on a laptop
 * with no configuration at all; production deployments override them through the environment
 * or a config file (see README, "Configuration").
 */
import type { AppConfig } from './schema.ts';

export const defaults: Omit<AppConfig, 'secret' | 'adminToken'> = {
  env: 'development',
  port: 3000,
  host: '127.0.0.1', // loopback: set HOST=0.0.0.0 (or an address) to serve other machines
  publicUrl: 'http://localhost:3000',
  // secret and adminToken have no default: set them, or a first start outside production
  // generates both into <dataDir>/secrets.json (see config/secrets.file.ts).
  secretKeyId: '1',
  previousSecrets: [],
  supportAddress: 'support@example.com',
  ownAddresses: [],
  defaultLocale: 'en',
  logLevel: 'info',
  database: {
    // Unset: embedded mongodb-memory-server, else a local ferretdb binary.
    uri: undefined,
    dataDir: './data',
    ferretdbBinary: undefined,
    dbName: 'helpdesk',
    serverSelectionTimeoutMs: 10_000, // a call fails (retry later) when no server answers this long
    socketTimeoutMs: 60_000, // a hung call is cut off instead of stalling intake forever
  },
  supportName: 'Support',
  intake: {
    maxIngestAttempts: 3, // a message failing this often the same way is quarantined, and its channel moves on
    bodyPreviewBytes: 256 * 1024, // bigger text/html bodies live in the blob store, with a preview this long
    maxParticipantsPerMessage: 50, // sender plus Cc addresses one message can add to a ticket
    maxParticipantsPerTicket: 200,
  },
  tickets: {
    reopenWindowMs: 30 * 24 * 60 * 60 * 1000, // replies to tickets closed longer ago open a new one
    statusUpdates: ['resolved', 'closed'], // the customer hears about these status changes; add open or pending if wanted
  },
  sla: {
    enabled: true,
    pollIntervalMs: 30_000, // due warnings and breaches are looked for this often (by every process)
    // An example business calendar (Jakarta office hours); set yours. Holidays are local dates.
    calendar: { timeZone: 'Asia/Jakarta', workingDays: [1, 2, 3, 4, 5], start: '08:00', end: '17:00', holidays: [] },
    warnAtPercent: 80, // the assignee is warned when this share of a target's business time is used
    // Business minutes per priority; add policies with `category` or `domain` for exceptions.
    policies: [
      { name: 'urgent', priority: 'urgent', firstResponseMinutes: 30, resolutionMinutes: 4 * 60 },
      { name: 'high', priority: 'high', firstResponseMinutes: 60, resolutionMinutes: 9 * 60 },
      { name: 'normal', priority: 'normal', firstResponseMinutes: 4 * 60, resolutionMinutes: 3 * 9 * 60 },
      { name: 'low', priority: 'low', firstResponseMinutes: 9 * 60, resolutionMinutes: 5 * 9 * 60 },
    ],
  },
  agentNotifications: {
    pollIntervalMs: 5_000, // events of other processes are fanned out to agents within this (a process's own at once)
    rosterTtlMs: 10_000, // agent accounts (addresses, tiers, notification switches) cached this long per process
  },
  knowledge: {
    chatSuggestionDelayMs: 1000, // the articles' chat line is due this long after a chat ticket opened (its first line is numbered first)
  },
  redisUrl: undefined, // unset: rate limits are per process
  auth: {
    sessionTtlMs: 12 * 60 * 60 * 1000, // one working day; log in again after
    loginMaxFailures: 5, // failed logins per address and client per window, then 429 until the window passes
    loginWindowMs: 15 * 60 * 1000,
  },
  channels: {
    email: {
      imap: {
        host: undefined, // email intake runs only when host and user are set
        port: 993,
        user: undefined,
        password: undefined,
        tls: true,
        mailbox: 'INBOX',
        drainIntervalMs: 60_000, // safety net behind IDLE
        leaseMs: 30_000, // a consumer that stops renewing loses its mailbox after this
        reconnectMinMs: 1_000,
        reconnectMaxMs: 60_000,
      },
      smtp: {
        host: undefined, // without it, outbound mail waits in the outbox
        port: 587,
        user: undefined,
        password: undefined,
        tls: false, // false: STARTTLS when the server offers it; true: implicit TLS (port 465)
        verifyIntervalMs: 60_000, // background check of the server behind /readyz
        poolSize: 4, // connections reused for outbound mail (matches outbox.concurrency)
      },
      lmtp: {
        port: undefined, // set LMTP_PORT to accept pushed mail from an MTA
        host: '127.0.0.1',
      },
      agentAddresses: [],
      trustedAuthservIds: [], // empty: no Authentication-Results header is believed, so no mail proves an agent
      limits: {
        maxMessageBytes: 25 * 1024 * 1024,
        maxAttachmentBytes: 20 * 1024 * 1024,
        maxAttachments: 50,
        parseTimeoutMs: 20_000, // one mail's parse budget (in a worker thread); over it, the mail is quarantined
      },
      breakers: {
        ackPerSenderLimit: 3, // acknowledgements to one address per window
        ackPerSenderWindowMs: 60 * 60 * 1000,
        ackPerDomainLimit: 20, // acknowledgements to strangers at one domain per window
        ackPerDomainWindowMs: 60 * 60 * 1000,
        ticketBreakerLimit: 5, // automatic mails on one ticket per window before it goes quiet
        ticketBreakerWindowMs: 10 * 60 * 1000,
        globalBreakerLimit: 500, // acknowledgements per window across the whole gateway
        globalBreakerWindowMs: 60 * 60 * 1000,
      },
      suppressionMs: 7 * 24 * 60 * 60 * 1000, // hard-bounced addresses get no automatic mail this long
    },
    chat: {
      sites: [], // no site key, no visitors: add { key, origins, identitySecret? } per website
      maxHttpBufferSize: 64 * 1024, // a bigger socket.io packet closes the connection
      maxTextLength: 4000, // characters per chat message
      socketRate: { points: 20, seconds: 10 }, // events one socket may send per window
      visitorRate: { points: 30, seconds: 60 }, // messages one visitor may send per window, all tabs together
      demoSiteKey: undefined, // set CHAT_DEMO_SITE_KEY (e.g. demo) to serve /chat/demo
      offline: {
        digestDelayMs: 5 * 60 * 1000, // a gone visitor's missed agent lines go out as ONE mail this long after the first
        digestPollIntervalMs: 5_000,
      },
    },
    webform: {
      enabled: true, // GET /support and POST /api/v1/forms/submit
      categories: [], // e.g. WEBFORM_CATEGORIES=billing,technical,other
      customFields: [], // config file only: [{ name, label: { en, id }, required, maxLength }]
      attachments: {
        maxFiles: 3,
        maxFileBytes: 5 * 1024 * 1024,
        allowedTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'],
      },
      minFillMs: 3_000, // people need seconds to fill a form; robots do not
      formTokenTtlMs: 24 * 60 * 60 * 1000,
      rateLimit: {
        perIpLimit: 10, // submissions per IP address per window
        perIpWindowSec: 60 * 60,
        perAddressLimit: 5, // submissions naming one email address per window
        perAddressWindowSec: 60 * 60,
        keyPrefix: 'helpdesk:webform',
      },
      verifyAddress: false, // true: the acknowledgement waits until the address owner clicks a link
      statusLinkTtlMs: 180 * 24 * 60 * 60 * 1000, // how long the status link in the acknowledgement works
      verifyLinkTtlMs: 7 * 24 * 60 * 60 * 1000,
    },
  },
  outbox: {
    pollIntervalMs: 1_000,
    maxAttempts: 8,
    backoffBaseMs: 2_000,
    backoffMaxMs: 15 * 60 * 1000,
    leaseMs: 60_000, // a sender that dies mid-send frees its entries after this (a live one renews it)
    concurrency: 4, // sends in flight at once per process
  },
  metrics: {
    enabled: false, // GET /metrics is off unless asked for
    token: undefined, // set it when anything but your Prometheus can reach the port
  },
  crashPoints: [],
};
