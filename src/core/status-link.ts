/**
 * Signed links a customer gets by mail: the status page of one ticket (`/support/t/<token>`) and
 * the one-time address check that releases a held acknowledgement (`/support/verify/<token>`).
 * A token binds the ticket id, an expiry and its purpose under a key id (so keys rotate like reply
 * tokens): `<ticketId>.<expiry, base36 seconds>.<keyId>.<mac>`. The purpose is signed, not
 * written, so a status link never passes as a verification link or the other way round.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TokenKeys } from './mail/reply-token.ts';

export type LinkPurpose = 'status' | 'verify';

export type LinkCheck =
  | { ok: true; ticketId: string; expiresAt: Date }
  | { ok: false; reason: 'invalid' | 'expired' };

const MAX_TOKEN_CHARS = 200;
const SHAPE = /^([a-z]{1,8}_[0-9a-f]{1,64})\.([0-9a-z]{1,12})\.([0-9a-z])\.([A-Za-z0-9_-]{32})$/;

function mac(purpose: LinkPurpose, secret: string, keyId: string, ticketId: string, expiry: string): string {
  return createHmac('sha256', secret).update(`link:${purpose}:${keyId}:${ticketId}:${expiry}`).digest('base64url').slice(0, 32);
}

export function signLinkToken(keys: TokenKeys, purpose: LinkPurpose, ticketId: string, expiresAt: Date): string {
  const key = keys.keys[0];
  if (!key) throw new Error('no signing key configured');
  const expiry = Math.ceil(expiresAt.getTime() / 1000).toString(36);
  return `${ticketId}.${expiry}.${key.id}.${mac(purpose, key.secret, key.id, ticketId, expiry)}`;
}

/** Checks shape (length first), key, signature (constant time) and only then the expiry. */
export function verifyLinkToken(keys: TokenKeys, purpose: LinkPurpose, token: string, now: Date): LinkCheck {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: 'invalid' };
  const match = SHAPE.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, ticketId, expiry, keyId, given] = match as unknown as [string, string, string, string, string];
  const key = keys.keys.find((k) => k.id === keyId);
  if (!key) return { ok: false, reason: 'invalid' };
  if (!timingSafeEqual(Buffer.from(mac(purpose, key.secret, keyId, ticketId, expiry)), Buffer.from(given))) return { ok: false, reason: 'invalid' };
  const expiresAt = new Date(parseInt(expiry, 36) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, ticketId, expiresAt };
}
