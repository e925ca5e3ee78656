/**
 * Visitor tokens: who a chat visitor is, signed by the gateway so a client can hold it (and send it
 * back to resume) but never change it. The key is derived from the gateway secret by label, so no
 * chat secret is stored anywhere. A verified site identity (email) lives inside the token only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export interface VisitorClaims {
  visitorId: string;
  siteKey: string;
  locale?: 'en' | 'id';
  /** Set only when the site signed it (see verifySiteIdentity). */
  email?: string;
  name?: string;
}

const claimsSchema = z.object({
  v: z.string().min(1).max(64), s: z.string().min(1).max(64), l: z.enum(['en', 'id']).optional(),
  e: z.string().max(254).optional(), n: z.string().max(200).optional(),
});

const MAX_TOKEN = 2048;

export class VisitorTokens {
  private readonly key: Buffer;

  constructor(gatewaySecret: string) {
    this.key = createHmac('sha256', gatewaySecret).update('chat-visitor-token:v1').digest();
  }

  static newVisitorId(): string {
    return `v_${randomBytes(16).toString('base64url')}`;
  }

  sign(claims: VisitorClaims): string {
    const body = Buffer.from(JSON.stringify({
      v: claims.visitorId, s: claims.siteKey,
      ...(claims.locale ? { l: claims.locale } : {}), ...(claims.email ? { e: claims.email } : {}), ...(claims.name ? { n: claims.name } : {}),
    })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a token this gateway signed, or null for anything else. */
  verify(token: unknown): VisitorClaims | null {
    if (typeof token !== 'string' || token.length > MAX_TOKEN) return null;
    const dot = token.indexOf('.');
    if (dot < 1) return null;
    const body = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let parsed: z.infer<typeof claimsSchema>;
    try {
      parsed = claimsSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      return null;
    }
    return {
      visitorId: parsed.v, siteKey: parsed.s,
      ...(parsed.l ? { locale: parsed.l } : {}), ...(parsed.e ? { email: parsed.e } : {}), ...(parsed.n ? { name: parsed.n } : {}),
    };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** The signature a site computes for its logged-in user: hex HMAC-SHA256 of the lowercased email. */
export function siteIdentitySignature(identitySecret: string, email: string): string {
  return createHmac('sha256', identitySecret).update(email.trim().toLowerCase()).digest('hex');
}

/** Whether the site really signed this email; anything else (no secret, wrong signature) is false. */
export function verifySiteIdentity(identitySecret: string | undefined, email: string, signature: string): boolean {
  if (!identitySecret) return false;
  const expected = Buffer.from(siteIdentitySignature(identitySecret, email));
  const given = Buffer.from(signature.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
