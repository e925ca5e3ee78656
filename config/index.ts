/**
 * Loads the configuration: defaults, then an optional JSON file (HELPDESK_CONFIG), then the
 * environment. Validates once, reports every bad key in one error, and deep-freezes the result.
 * This is the only module that reads process.env.
 */
import { readFileSync } from 'node:fs';
import { configSchema, secretKeys, type AppConfig } from './schema.ts';
import { defaults } from './defaults.ts';
import { loadOrCreateSecrets } from './secrets.file.ts';

export type { AppConfig } from './schema.ts';

/** Environment variable -> config path. The README's configuration table lists the same. */
export const envMap: Record<string, string> = {
  NODE_ENV: 'env',
  PORT: 'port',
  PUBLIC_URL: 'publicUrl',
  HOST: 'host',
  HELPDESK_SECRET: 'secret',
  HELPDESK_KEY_ID: 'secretKeyId',
  HELPDESK_PREVIOUS_SECRETS: 'previousSecrets',
  ADMIN_TOKEN: 'adminToken',
  SUPPORT_ADDRESS: 'supportAddress',
  SUPPORT_NAME: 'supportName',
  OWN_ADDRESSES: 'ownAddresses',
  DEFAULT_LOCALE: 'defaultLocale',
  LOG_LEVEL: 'logLevel',
  MONGODB_URI: 'database.uri',
  HELPDESK_DATA_DIR: 'database.dataDir',
  HELPDESK_DB_NAME: 'database.dbName',
  FERRETDB_BIN: 'database.ferretdbBinary',
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: 'database.serverSelectionTimeoutMs',
  MONGODB_SOCKET_TIMEOUT_MS: 'database.socketTimeoutMs',
  IMAP_HOST: 'channels.email.imap.host',
  IMAP_PORT: 'channels.email.imap.port',
  IMAP_USER: 'channels.email.imap.user',
  IMAP_PASSWORD: 'channels.email.imap.password',
  IMAP_TLS: 'channels.email.imap.tls',
  IMAP_MAILBOX: 'channels.email.imap.mailbox',
  IMAP_DRAIN_INTERVAL_MS: 'channels.email.imap.drainIntervalMs',
  IMAP_LEASE_MS: 'channels.email.imap.leaseMs',
  SMTP_HOST: 'channels.email.smtp.host',
  SMTP_PORT: 'channels.email.smtp.port',
  SMTP_USER: 'channels.email.smtp.user',
  SMTP_PASSWORD: 'channels.email.smtp.password',
  SMTP_TLS: 'channels.email.smtp.tls',
  SMTP_VERIFY_INTERVAL_MS: 'channels.email.smtp.verifyIntervalMs',
  SMTP_POOL_SIZE: 'channels.email.smtp.poolSize',
  LMTP_PORT: 'channels.email.lmtp.port',
  LMTP_HOST: 'channels.email.lmtp.host',
  AGENT_ADDRESSES: 'channels.email.agentAddresses',
  TICKET_BREAKER_LIMIT: 'channels.email.breakers.ticketBreakerLimit',
  TICKET_BREAKER_WINDOW_MS: 'channels.email.breakers.ticketBreakerWindowMs',
  GLOBAL_BREAKER_LIMIT: 'channels.email.breakers.globalBreakerLimit',
  GLOBAL_BREAKER_WINDOW_MS: 'channels.email.breakers.globalBreakerWindowMs',
  REOPEN_WINDOW_MS: 'tickets.reopenWindowMs',
  STATUS_UPDATES: 'tickets.statusUpdates',
  SLA_ENABLED: 'sla.enabled',
  SLA_POLL_INTERVAL_MS: 'sla.pollIntervalMs',
  SLA_TIME_ZONE: 'sla.calendar.timeZone',
  SLA_WORKING_DAYS: 'sla.calendar.workingDays',
  SLA_HOURS_START: 'sla.calendar.start',
  SLA_HOURS_END: 'sla.calendar.end',
  SLA_HOLIDAYS: 'sla.calendar.holidays',
  SLA_WARN_AT_PERCENT: 'sla.warnAtPercent',
  SLA_POLICIES: 'sla.policies',
  AGENT_NOTIFY_POLL_INTERVAL_MS: 'agentNotifications.pollIntervalMs',
  AGENT_ROSTER_TTL_MS: 'agentNotifications.rosterTtlMs',
  KB_CHAT_SUGGESTION_DELAY_MS: 'knowledge.chatSuggestionDelayMs',
  REDIS_URL: 'redisUrl',
  SESSION_TTL_MS: 'auth.sessionTtlMs',
  LOGIN_MAX_FAILURES: 'auth.loginMaxFailures',
  LOGIN_WINDOW_MS: 'auth.loginWindowMs',
  MAIL_MAX_INGEST_ATTEMPTS: 'intake.maxIngestAttempts',
  MAIL_BODY_PREVIEW_BYTES: 'intake.bodyPreviewBytes',
  MAIL_MAX_PARTICIPANTS_PER_MAIL: 'intake.maxParticipantsPerMessage',
  MAIL_MAX_PARTICIPANTS_PER_TICKET: 'intake.maxParticipantsPerTicket',
  SUPPRESSION_MS: 'channels.email.suppressionMs',
  MAIL_MAX_MESSAGE_BYTES: 'channels.email.limits.maxMessageBytes',
  MAIL_MAX_ATTACHMENT_BYTES: 'channels.email.limits.maxAttachmentBytes',
  MAIL_PARSE_TIMEOUT_MS: 'channels.email.limits.parseTimeoutMs',
  ACK_PER_SENDER_LIMIT: 'channels.email.breakers.ackPerSenderLimit',
  ACK_PER_SENDER_WINDOW_MS: 'channels.email.breakers.ackPerSenderWindowMs',
  ACK_PER_DOMAIN_LIMIT: 'channels.email.breakers.ackPerDomainLimit',
  ACK_PER_DOMAIN_WINDOW_MS: 'channels.email.breakers.ackPerDomainWindowMs',
  TRUSTED_AUTHSERV_IDS: 'channels.email.trustedAuthservIds',
  CHAT_SITES: 'channels.chat.sites',
  CHAT_MAX_HTTP_BUFFER_SIZE: 'channels.chat.maxHttpBufferSize',
  CHAT_MAX_TEXT_LENGTH: 'channels.chat.maxTextLength',
  CHAT_SOCKET_RATE_POINTS: 'channels.chat.socketRate.points',
  CHAT_SOCKET_RATE_SECONDS: 'channels.chat.socketRate.seconds',
  CHAT_VISITOR_RATE_POINTS: 'channels.chat.visitorRate.points',
  CHAT_VISITOR_RATE_SECONDS: 'channels.chat.visitorRate.seconds',
  CHAT_DEMO_SITE_KEY: 'channels.chat.demoSiteKey',
  CHAT_DIGEST_DELAY_MS: 'channels.chat.offline.digestDelayMs',
  CHAT_DIGEST_POLL_INTERVAL_MS: 'channels.chat.offline.digestPollIntervalMs',
  OUTBOX_POLL_INTERVAL_MS: 'outbox.pollIntervalMs',
  OUTBOX_MAX_ATTEMPTS: 'outbox.maxAttempts',
  OUTBOX_BACKOFF_BASE_MS: 'outbox.backoffBaseMs',
  OUTBOX_BACKOFF_MAX_MS: 'outbox.backoffMaxMs',
  OUTBOX_LEASE_MS: 'outbox.leaseMs',
  OUTBOX_CONCURRENCY: 'outbox.concurrency',
  METRICS_ENABLED: 'metrics.enabled',
  METRICS_TOKEN: 'metrics.token',
  WEBFORM_ENABLED: 'channels.webform.enabled',
  WEBFORM_CATEGORIES: 'channels.webform.categories',
  WEBFORM_MAX_FILES: 'channels.webform.attachments.maxFiles',
  WEBFORM_MAX_FILE_BYTES: 'channels.webform.attachments.maxFileBytes',
  WEBFORM_ALLOWED_TYPES: 'channels.webform.attachments.allowedTypes',
  WEBFORM_MIN_FILL_MS: 'channels.webform.minFillMs',
  WEBFORM_TOKEN_TTL_MS: 'channels.webform.formTokenTtlMs',
  WEBFORM_RATE_IP_LIMIT: 'channels.webform.rateLimit.perIpLimit',
  WEBFORM_RATE_IP_WINDOW_SEC: 'channels.webform.rateLimit.perIpWindowSec',
  WEBFORM_RATE_ADDRESS_LIMIT: 'channels.webform.rateLimit.perAddressLimit',
  WEBFORM_RATE_ADDRESS_WINDOW_SEC: 'channels.webform.rateLimit.perAddressWindowSec',
  WEBFORM_VERIFY_ADDRESS: 'channels.webform.verifyAddress',
  WEBFORM_STATUS_LINK_TTL_MS: 'channels.webform.statusLinkTtlMs',
  WEBFORM_VERIFY_LINK_TTL_MS: 'channels.webform.verifyLinkTtlMs',
  HELPDESK_CRASH_POINTS: 'crashPoints',
};

/** Top-level keys of older config files, and where they live now: a file using them fails loudly, not silently. */
const movedKeys: Record<string, string> = {
  imap: 'channels.email.imap', smtp: 'channels.email.smtp', lmtp: 'channels.email.lmtp',
  agentAddresses: 'channels.email.agentAddresses', mail: 'channels.email.limits, channels.email.breakers and tickets',
};

const listKeys = new Set(['previousSecrets', 'ownAddresses', 'channels.email.agentAddresses', 'channels.email.trustedAuthservIds', 'crashPoints',
  'channels.webform.categories', 'channels.webform.attachments.allowedTypes', 'tickets.statusUpdates', 'sla.calendar.workingDays', 'sla.calendar.holidays']);

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Tree = Record<string, unknown>;

function setPath(target: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] = { ...(node[part] as Tree | undefined) };
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]!] = value;
}

function getPath(source: Tree, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node as Tree | undefined)?.[part], source);
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const bothObjects = [current, value].every((v) => v && typeof v === 'object' && !Array.isArray(v));
    out[key] = bothObjects ? merge(current as Tree, value as Tree) : value;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

function envLabel(path: string): string {
  // `previousSecrets.0.id` is still HELPDESK_PREVIOUS_SECRETS.
  const name = Object.entries(envMap).find(([, p]) => path === p || path.startsWith(`${p}.`))?.[0];
  return name ? `${name} (${path})` : path;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides applied last; used by tests and the CLI. */
  overrides?: Tree;
  /**
   * Outside production, take missing secrets from `<dataDir>/secrets.json`, generating it on the
   * first start (the gateway and the CLI do; tests pass secrets and never touch the disk).
   */
  generateSecrets?: boolean;
}

/** Builds, validates and freezes the configuration. Throws ConfigError naming every bad key. */
export function loadConfig(options: LoadOptions = {}): AppConfig {
  const env = options.env ?? process.env;
  let tree: Tree = structuredClone(defaults) as unknown as Tree;
  const problems: string[] = [];

  const file = env.HELPDESK_CONFIG;
  if (file) {
    try {
      tree = merge(tree, JSON.parse(readFileSync(file, 'utf8')) as Tree);
    } catch (err) {
      problems.push(`HELPDESK_CONFIG: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  for (const [name, path] of Object.entries(envMap)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = listKeys.has(path) ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
    setPath(tree, path, value);
  }
  if (options.overrides) tree = merge(tree, options.overrides);
  for (const [old, now] of Object.entries(movedKeys)) {
    if (old in tree) problems.push(`${old}: moved to ${now} (see README, "Configuration")`);
  }

  const parsed = configSchema.safeParse(tree);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      const shown = getPath(tree, path);
      const value = secretKeys.some((k) => path === k || path.startsWith(`${k}.`)) ? '[redacted]' : JSON.stringify(shown);
      problems.push(`${envLabel(path)}: ${issue.message} (got ${value})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const config = parsed.data!;
  const { imap } = config.channels.email;
  if (imap.reconnectMaxMs < imap.reconnectMinMs) {
    problems.push('channels.email.imap.reconnectMaxMs: must not be below channels.email.imap.reconnectMinMs');
  }
  if (config.previousSecrets.some((k) => k.id === config.secretKeyId)) {
    problems.push(`${envLabel('previousSecrets')}: a previous key reuses the current key id ${config.secretKeyId} (${envLabel('secretKeyId')})`);
  }
  const missing = (['secret', 'adminToken'] as const).filter((key) => !config[key]);
  if (missing.length && (config.env === 'production' || !options.generateSecrets)) {
    const why = config.env === 'production' ? 'must be set in production' : 'not set';
    for (const key of missing) problems.push(`${envLabel(key)}: ${why}`);
  }
  if (problems.length) throw new ConfigError(problems);
  if (missing.length) {
    let stored: ReturnType<typeof loadOrCreateSecrets>;
    try {
      stored = loadOrCreateSecrets(config.database.dataDir);
    } catch (err) {
      throw new ConfigError([`${missing.map(envLabel).join(', ')}: not set, and the generated secrets in ${envLabel('database.dataDir')} cannot be used: ${(err as Error).message}`]);
    }
    return deepFreeze({ ...config, secret: config.secret ?? stored.secret, adminToken: config.adminToken ?? stored.adminToken, secretsFile: stored.path });
  }
  return deepFreeze(config as AppConfig);
}

/** A copy of the config that is safe to log: secrets and credentials in URIs are replaced. */
export function redactConfig(config: AppConfig): Tree {
  const copy = structuredClone(config) as unknown as Tree;
  for (const key of secretKeys) {
    const value = getPath(copy, key);
    if (value === undefined) continue;
    setPath(copy, key, key === 'database.uri' ? String(value).replace(/\/\/[^@/]*@/, '//[redacted]@') : '[redacted]');
  }
  return copy;
}
