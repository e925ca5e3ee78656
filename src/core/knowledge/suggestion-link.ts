/**
 * The link from an acknowledgement to a suggested article carries a signed suggestion id, so the
 * public page can record "did this solve it?" against that suggestion without a login, and nobody
 * can answer for a suggestion they were not sent. `<suggestionId>.<keyId>.<mac>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenKeys } from '../mail/reply-token.ts';

const SHAPE = /^([a-z0-9_~]{3,120})\.([0-9a-z])\.([A-Za-z0-9_-]{22})$/;

const mac = (secret: string, keyId: string, id: string) =>
  createHmac('sha256', secret).update(`kb-suggestion:${keyId}:${id}`).digest('base64url').slice(0, 22);

export function signSuggestion(keys: TokenKeys, suggestionId: string): string {
  const key = keys.keys[0];
  if (!key) throw new Error('no signing key configured');
  return `${suggestionId}.${key.id}.${mac(key.secret, key.id, suggestionId)}`;
}

/** The suggestion id, or null for anything not signed by one of our keys (length checked first). */
export function verifySuggestion(keys: TokenKeys, token: string): string | null {
  if (token.length > 200) return null;
  const match = SHAPE.exec(token);
  if (!match) return null;
  const [, id, keyId, given] = match as unknown as [string, string, string, string];
  const key = keys.keys.find((k) => k.id === keyId);
  if (!key) return null;
  return timingSafeEqual(Buffer.from(mac(key.secret, keyId, id)), Buffer.from(given)) ? id : null;
}
