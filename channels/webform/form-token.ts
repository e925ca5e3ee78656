/**
 * The signed form token a served form carries: when it was served, a nonce, a key id and an HMAC.
 * A submission must come at least `minFillMs` after the form was served (robots fill at once) and
 * before the token expires. Signed with the gateway's secret under a purpose of its own.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenKeys } from '../../src/core/index.ts';

export type FormTokenCheck = { ok: true } | { ok: false; code: 'form_token_invalid' | 'too_fast' | 'form_expired' };

const SHAPE = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16})\.([0-9a-z])\.([A-Za-z0-9_-]{32})$/;

function mac(secret: string, keyId: string, issued: string, nonce: string): string {
  return createHmac('sha256', secret).update(`webform-token:${keyId}:${issued}:${nonce}`).digest('base64url').slice(0, 32);
}

export function signFormToken(keys: TokenKeys, issuedAt: Date): string {
  const key = keys.keys[0];
  if (!key) throw new Error('no signing key configured');
  const issued = issuedAt.getTime().toString(36);
  const nonce = randomBytes(12).toString('base64url');
  return `${issued}.${nonce}.${key.id}.${mac(key.secret, key.id, issued, nonce)}`;
}

export function checkFormToken(keys: TokenKeys, token: unknown, now: Date, limits: { minFillMs: number; ttlMs: number }): FormTokenCheck {
  if (typeof token !== 'string' || token.length > 100) return { ok: false, code: 'form_token_invalid' };
  const match = SHAPE.exec(token);
  if (!match) return { ok: false, code: 'form_token_invalid' };
  const [, issued, nonce, keyId, given] = match as unknown as [string, string, string, string, string];
  const key = keys.keys.find((k) => k.id === keyId);
  if (!key || !timingSafeEqual(Buffer.from(mac(key.secret, keyId, issued, nonce)), Buffer.from(given))) return { ok: false, code: 'form_token_invalid' };
  const age = now.getTime() - parseInt(issued, 36);
  if (age < limits.minFillMs) return { ok: false, code: 'too_fast' };
  if (age > limits.ttlMs) return { ok: false, code: 'form_expired' };
  return { ok: true };
}
