/**
 * Password hashing with scrypt (node:crypto): a random salt per password, the cost parameters
 * stored with the hash (`scrypt$N$r$p$salt$key`, base64url), so they can be raised later without
 * breaking stored hashes; verification in constant time.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) => new Promise<Buffer>((resolve, reject) => {
  scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
});

/** One of OWASP's equivalent scrypt minimums (N=2^15, r=8, p=3): 32 MiB per hash instead of 128. */
const PARAMS = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
/** Passwords past this length are refused before hashing (no KDF work for megabyte inputs). */
export const MAX_PASSWORD_LENGTH = 1024;

const maxmem = (N: number, r: number) => 128 * N * r * 2;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = PARAMS;
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N, r, p, maxmem: maxmem(N, r) });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (![N, R, P].every((v) => Number.isInteger(v) && v > 0)) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scrypt(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P, maxmem: maxmem(N, R) });
  return timingSafeEqual(actual, expected);
}

/** A password to hand out (`helpdesk agent create` without --password): 128 random bits. */
export function generatePassword(): string {
  return randomBytes(16).toString('base64url');
}
