/**
 * Secrets generated on a first start without HELPDESK_SECRET / ADMIN_TOKEN. They live in
 * `<dataDir>/secrets.json` (file 0600, folder 0700), so the gateway, the `helpdesk` command and a
 * restart all use the same values and nothing secret is in the repository. Production never
 * gets here: it must set both explicitly.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface StoredSecrets {
  secret: string;
  adminToken: string;
}

export const SECRETS_FILENAME = 'secrets.json';

/** 256 random bits, URL-safe. */
const fresh = () => randomBytes(32).toString('base64url');

function read(path: string): Partial<StoredSecrets> {
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredSecrets>;
  return {
    ...(typeof parsed.secret === 'string' ? { secret: parsed.secret } : {}),
    ...(typeof parsed.adminToken === 'string' ? { adminToken: parsed.adminToken } : {}),
  };
}

/**
 * The stored secrets, creating whichever is missing. Written to a temporary file and renamed, so
 * a crash never leaves half a file; a second process racing on the first start may replace it
 * once, before anything was signed with it.
 */
export function loadOrCreateSecrets(dataDir: string): StoredSecrets & { path: string; created: boolean } {
  const dir = resolve(dataDir);
  const path = join(dir, SECRETS_FILENAME);
  const stored = read(path);
  if (stored.secret && stored.adminToken) return { secret: stored.secret, adminToken: stored.adminToken, path, created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const secrets = { secret: stored.secret ?? fresh(), adminToken: stored.adminToken ?? fresh() };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return { ...secrets, path, created: true };
}
