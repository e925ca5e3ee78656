/**
 * Signed reply tokens. A token names a ticket and proves we issued it: HMAC-SHA256 over the
 * ticket number under a key id (so keys can rotate), in lowercase base32 so it survives the
 * case-folding of mail systems. It goes into `support+<token>@domain` and our Message-IDs.
 * Shape: `t<number>k<keyId><mac>` — the local part stays far below 64 characters.
 * Agent tokens (`a<number>g<agent>k<keyId><mac>`) go only into mail sent to one agent: they bind
 * the ticket and that agent's address, and are signed for another purpose, so a customer token
 * never passes as an agent token nor the other way round.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

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

/**
 * One kind of signed token: `<prefix><payload>k<keyId><mac>`. The purpose is part of what is
 * signed, so a VERP token can never pass as a reply token or the other way round.
 */
interface TokenKind {
  prefix: string;
  purpose: string;
  payload: string; // regex source
  macChars: number;
}

const REPLY: TokenKind = { prefix: 't', purpose: 'reply-token', payload: '\\d{1,12}', macChars: 20 }; // 100 bits
const AGENT: TokenKind = { prefix: 'a', purpose: 'agent-reply-token', payload: '\\d{1,12}g[a-z2-7]{8}', macChars: 20 };
const VERP: TokenKind = { prefix: 'b', purpose: 'verp', payload: '[0-9a-f]{16}', macChars: 16 };

function mac(kind: TokenKind, secret: string, keyId: string, payload: string): string {
  return base32(createHmac('sha256', secret).update(`${kind.purpose}:${keyId}:${payload}`).digest()).slice(0, kind.macChars);
}

function sign(kind: TokenKind, keys: TokenKeys, payload: string): string {
  const key = keys.keys[0];
  if (!key) throw new Error('no reply-token key configured');
  return `${kind.prefix}${payload}k${key.id}${mac(kind, key.secret, key.id, payload)}`;
}

/** The payload when the token is ours and intact, else null. Constant-time compare. */
function verify(kind: TokenKind, keys: TokenKeys, token: string): string | null {
  const re = new RegExp(`^${kind.prefix}(${kind.payload})k([0-9a-z])([a-z2-7]{${kind.macChars}})$`);
  const match = re.exec(token.toLowerCase());
  if (!match) return null;
  const [, payload, keyId, given] = match as unknown as [string, string, string, string];
  const key = keys.keys.find((k) => k.id === keyId);
  if (!key) return null;
  return timingSafeEqual(Buffer.from(mac(kind, key.secret, keyId, payload)), Buffer.from(given)) ? payload : null;
}

/** Reply token for a ticket: `t<number>k<keyId><mac>`. */
export function signReplyToken(keys: TokenKeys, ticketNumber: number): string {
  return sign(REPLY, keys, String(ticketNumber));
}

/** The ticket number when the token is ours and intact, else null. */
export function verifyReplyToken(keys: TokenKeys, token: string): number | null {
  const payload = verify(REPLY, keys, token);
  return payload === null ? null : Number(payload);
}

/** 40 bits of the agent's address: enough to tell agents apart, short enough for a local part. */
function agentTag(agentAddress: string): string {
  return base32(createHash('sha256').update(agentAddress.trim().toLowerCase()).digest()).slice(0, 8);
}

/** Token for mail to one agent about a ticket (notifications): `a<number>g<agent>k<keyId><mac>`. */
export function signAgentToken(keys: TokenKeys, ticketNumber: number, agentAddress: string): string {
  return sign(AGENT, keys, `${ticketNumber}g${agentTag(agentAddress)}`);
}

/**
 * An intact agent token: the ticket number and whether it was issued to `senderAddress`. A token
 * issued to another agent still names the ticket, but is no proof that this sender is an agent.
 */
export function verifyAgentToken(keys: TokenKeys, token: string, senderAddress: string | undefined): { ticketNumber: number; issuedToSender: boolean } | null {
  const payload = verify(AGENT, keys, token);
  if (payload === null) return null;
  const g = payload.indexOf('g'); // the number has no letters; the tag may contain a `g`
  const tag = payload.slice(g + 1);
  return { ticketNumber: Number(payload.slice(0, g)), issuedToSender: Boolean(senderAddress) && tag === agentTag(senderAddress!) };
}

/** A signed VERP token for one outbound message: `b<verpId>k<keyId><mac>`. */
export function signVerpToken(keys: TokenKeys, verpId: string): string {
  return sign(VERP, keys, verpId);
}

/** The verpId when a bounce's envelope recipient carries our intact signature, else null. */
export function verifyVerpToken(keys: TokenKeys, token: string): string | null {
  return verify(VERP, keys, token);
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
