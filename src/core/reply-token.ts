/**
 * Signed reply tokens. A token names a ticket and proves we issued it: HMAC-SHA256 over the
 * ticket number under a key id (so keys can rotate), in lowercase base32 so it survives the
 * case-folding of mail systems. It goes into `support+<token>@domain` and our Message-IDs.
 * Shape: `t<number>k<keyId><mac>` — the local part stays far below 64 characters.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_CHARS = 20; // 100 bits
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const TOKEN_RE = /^t(\d{1,12})k([0-9a-z])([a-z2-7]{20})$/;

export interface TokenKeys {
  /** Key id -> secret. The first entry signs new tokens; all of them verify. */
  keys: ReadonlyArray<{ id: string; secret: string }>;
}

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function mac(secret: string, keyId: string, ticketNumber: number): string {
  const digest = createHmac('sha256', secret).update(`reply-token:${keyId}:${ticketNumber}`).digest();
  return base32(digest).slice(0, MAC_CHARS);
}

export function signReplyToken(keys: TokenKeys, ticketNumber: number): string {
  const key = keys.keys[0];
  if (!key) throw new Error('no reply-token key configured');
  return `t${ticketNumber}k${key.id}${mac(key.secret, key.id, ticketNumber)}`;
}

/** Returns the ticket number when the token is ours and intact, else null. Constant-time compare. */
export function verifyReplyToken(keys: TokenKeys, token: string): number | null {
  const match = TOKEN_RE.exec(token.toLowerCase());
  if (!match) return null;
  const [, num, keyId, given] = match as unknown as [string, string, string, string];
  const key = keys.keys.find((k) => k.id === keyId);
  if (!key) return null;
  const expected = mac(key.secret, keyId, Number(num));
  const ok = timingSafeEqual(Buffer.from(expected), Buffer.from(given));
  return ok ? Number(num) : null;
}

/** Finds candidate tokens in `local+token@domain` addresses of our domain. */
export function tokensInAddresses(addresses: readonly string[], ourDomain: string, ourLocal: string): string[] {
  const found: string[] = [];
  for (const raw of addresses) {
    const address = raw.trim().toLowerCase();
    const at = address.lastIndexOf('@');
    if (at < 0 || address.slice(at + 1) !== ourDomain.toLowerCase()) continue;
    const local = address.slice(0, at);
    const prefix = `${ourLocal.toLowerCase()}+`;
    if (local.startsWith(prefix)) found.push(local.slice(prefix.length));
  }
  return [...new Set(found)];
}

const VERP_RE = /^b([0-9a-f]{16})k([0-9a-z])([a-z2-7]{16})$/;

function verpMac(secret: string, keyId: string, verpId: string): string {
  return base32(createHmac('sha256', secret).update(`verp:${keyId}:${verpId}`).digest()).slice(0, 16);
}

/** A signed VERP token for one outbound message: `b<verpId>k<keyId><mac>`. */
export function signVerpToken(keys: TokenKeys, verpId: string): string {
  const key = keys.keys[0];
  if (!key) throw new Error('no reply-token key configured');
  return `b${verpId}k${key.id}${verpMac(key.secret, key.id, verpId)}`;
}

/** The verpId when a bounce's envelope recipient carries our intact signature, else null. */
export function verifyVerpToken(keys: TokenKeys, token: string): string | null {
  const match = VERP_RE.exec(token.toLowerCase());
  if (!match) return null;
  const [, verpId, keyId, given] = match as unknown as [string, string, string, string];
  const key = keys.keys.find((k) => k.id === keyId);
  if (!key) return null;
  return timingSafeEqual(Buffer.from(verpMac(key.secret, keyId, verpId)), Buffer.from(given)) ? verpId : null;
}
