import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaults } from '../../config/defaults.ts';
import { ConfigError, loadConfig, redactConfig } from '../../config/index.ts';
import { spawnGateway } from '../support/gateway-process.ts';

const SECRETS = { HELPDESK_SECRET: 'test-secret-0123456789abcdef', ADMIN_TOKEN: 'test-admin-token-0123456789' };

describe('configuration', () => {
  it('works with no settings at all (npm start on a laptop)', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-config-'));
    const config = loadConfig({ env: { HELPDESK_DATA_DIR: dataDir }, generateSecrets: true });
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1'); // loopback unless HOST says otherwise
    expect(loadConfig({ env: { HOST: '0.0.0.0', HELPDESK_SECRET: 's'.repeat(20), ADMIN_TOKEN: 'a'.repeat(20) } }).host).toBe('0.0.0.0');
    expect(config.channels.email.imap.host).toBeUndefined();
    expect(Object.isFrozen(config.channels.email.imap)).toBe(true);
    expect(config.supportName).toBe('Support');
    expect(config.metrics).toEqual({ enabled: false, token: undefined }); // no /metrics unless asked for
  });

  it('turns metrics on with a token that is never logged', () => {
    const config = loadConfig({ env: { ...SECRETS, METRICS_ENABLED: 'true', METRICS_TOKEN: 'm'.repeat(20) } });
    expect(config.metrics).toEqual({ enabled: true, token: 'm'.repeat(20) });
    expect(redactConfig(config).metrics).toEqual({ enabled: true, token: '[redacted]' });
    expect(() => loadConfig({ env: { METRICS_TOKEN: 'short' } })).toThrow(/METRICS_TOKEN \(metrics.token\)/);
  });

  it('reads every documented environment variable', () => {
    const config = loadConfig({ env: {
      PORT: '8080', PUBLIC_URL: 'https://desk.example.com', HELPDESK_SECRET: 's'.repeat(20), ADMIN_TOKEN: 'a'.repeat(20),
      SUPPORT_ADDRESS: 'help@example.com', DEFAULT_LOCALE: 'id', MONGODB_URI: 'mongodb://u:p@db/x',
      IMAP_HOST: 'imap.example.com', IMAP_PORT: '143', IMAP_USER: 'help', IMAP_PASSWORD: 'pw', IMAP_TLS: 'false', IMAP_MAILBOX: 'Support',
      SMTP_HOST: 'smtp.example.com', SMTP_PORT: '465', SMTP_USER: 'help', SMTP_PASSWORD: 'pw2', SMTP_TLS: 'true',
      SUPPORT_NAME: 'Acme Help', REOPEN_WINDOW_MS: '60000', MAIL_MAX_MESSAGE_BYTES: '2048', ACK_PER_SENDER_LIMIT: '7',
      AGENT_ADDRESSES: 'a@example.com, b@example.com',
    } });
    expect(config).toMatchObject({
      port: 8080, publicUrl: 'https://desk.example.com', supportAddress: 'help@example.com', defaultLocale: 'id',
      database: { uri: 'mongodb://u:p@db/x' },
      supportName: 'Acme Help',
      tickets: { reopenWindowMs: 60000 },
      channels: { email: {
        imap: { host: 'imap.example.com', port: 143, user: 'help', password: 'pw', tls: false, mailbox: 'Support' },
        smtp: { host: 'smtp.example.com', port: 465, user: 'help', password: 'pw2', tls: true },
        limits: { maxMessageBytes: 2048 },
        breakers: { ackPerSenderLimit: 7 },
        agentAddresses: ['a@example.com', 'b@example.com'],
      } },
    });
  });

  it('names every bad key in one error', () => {
    try {
      loadConfig({ env: { IMAP_PORT: '99999', SUPPORT_ADDRESS: 'not-an-address', DEFAULT_LOCALE: 'fr', SMTP_TLS: 'maybe' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      for (const key of ['IMAP_PORT (channels.email.imap.port)', 'SUPPORT_ADDRESS', 'DEFAULT_LOCALE', 'SMTP_TLS']) expect(message).toContain(key);
      expect((err as ConfigError).problems).toHaveLength(4);
    }
  });

  it('names the new place of a setting an older config file still has at the top level', () => {
    expect(() => loadConfig({ env: {}, overrides: { imap: { host: 'x' } } })).toThrow(/imap: moved to channels\.email\.imap/);
  });

  it('has no secret in the repository: without them, a first start generates and keeps them, a second reuses them', () => {
    expect(JSON.stringify(defaults)).not.toMatch(/secret"|adminToken|dev-only/);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'helpdesk-config-')), 'data');
    const first = loadConfig({ env: { HELPDESK_DATA_DIR: dataDir }, generateSecrets: true });
    expect(first.secretsFile).toBe(join(dataDir, 'secrets.json'));
    expect(statSync(first.secretsFile!).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(first.secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(first.adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.adminToken).not.toBe(first.secret);
    const second = loadConfig({ env: { HELPDESK_DATA_DIR: dataDir }, generateSecrets: true });
    expect([second.secret, second.adminToken]).toEqual([first.secret, first.adminToken]);
    // Explicit values win over the file.
    expect(loadConfig({ env: { HELPDESK_DATA_DIR: dataDir, ADMIN_TOKEN: 'explicit-admin-token-0123' }, generateSecrets: true }))
      .toMatchObject({ adminToken: 'explicit-admin-token-0123', secret: first.secret });
    // Without generateSecrets (tests, library use) the disk is never touched.
    expect(() => loadConfig({ env: {} })).toThrow(/HELPDESK_SECRET \(secret\): not set/);
  });

  it('refuses to start in production without explicit secrets, and writes nothing', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'helpdesk-config-')), 'data');
    expect(() => loadConfig({ env: { NODE_ENV: 'production', HELPDESK_DATA_DIR: dataDir }, generateSecrets: true }))
      .toThrow(/HELPDESK_SECRET \(secret\): must be set in production.*\n.*ADMIN_TOKEN \(adminToken\): must be set in production/s);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('reads previous secrets with their key ids for rotation', () => {
    const config = loadConfig({ env: {
      HELPDESK_SECRET: 'new-secret-0123456789abcdef', HELPDESK_KEY_ID: '3', ADMIN_TOKEN: 'a'.repeat(20),
      HELPDESK_PREVIOUS_SECRETS: '2:older-secret-0123456789ab, 1:oldest-secret-0123456789ab',
    } });
    expect(config.secretKeyId).toBe('3');
    expect(config.previousSecrets).toEqual([{ id: '2', secret: 'older-secret-0123456789ab' }, { id: '1', secret: 'oldest-secret-0123456789ab' }]);
    expect(JSON.stringify(redactConfig(config))).not.toContain('older-secret');
    const base = { HELPDESK_SECRET: 'new-secret-0123456789abcdef', ADMIN_TOKEN: 'a'.repeat(20) };
    expect(() => loadConfig({ env: { ...base, HELPDESK_PREVIOUS_SECRETS: 'no-key-id-secret-0123456789' } })).toThrow(/HELPDESK_PREVIOUS_SECRETS \(previousSecrets\.0\.id\): each entry is <keyId>:<secret>(?!.*no-key-id-secret)/s);
    expect(() => loadConfig({ env: { ...base, HELPDESK_PREVIOUS_SECRETS: '1:same-id-as-current-0123' } })).toThrow(/reuses the current key id 1/);
    expect(() => loadConfig({ env: { ...base, HELPDESK_KEY_ID: '10' } })).toThrow(/HELPDESK_KEY_ID/);
  });

  it('redacts secrets and URI credentials for logging', () => {
    const config = loadConfig({ env: { ...SECRETS, MONGODB_URI: 'mongodb://user:hunter2@db/x', IMAP_PASSWORD: 'pw', HELPDESK_SECRET: 'x'.repeat(20) } });
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('x'.repeat(20));
    expect(shown).toContain('mongodb://[redacted]@db/x');
  });

  it('stops the gateway at start-up with a message naming IMAP_PORT', async () => {
    const gw = spawnGateway({ IMAP_PORT: 'not-a-port', MONGODB_URI: 'mongodb://127.0.0.1:1/' });
    const { code } = await gw.exited;
    expect(code).toBe(78);
    expect(gw.output()).toMatch(/Invalid configuration:\n\s+- IMAP_PORT \(channels\.email\.imap\.port\): .*"not-a-port"/);
  });
});
