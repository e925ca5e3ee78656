/**
 * Site keys and the origins allowed to use them. A browser always sends Origin on cross-origin
 * requests and on WebSocket/polling handshakes; a request without one (a server, a test client)
 * is no page and is let through: the token, not the origin, is what proves who the visitor is.
 */
export interface ChatSite {
  key: string;
  origins: readonly string[];
  identitySecret?: string;
}

export type OriginVerdict = { ok: true; site: ChatSite } | { ok: false; code: 'unknown-site' | 'origin-not-allowed' };

export class ChatSites {
  private readonly byKey: Map<string, ChatSite>;
  private readonly own: string;

  constructor(sites: readonly ChatSite[], publicUrl: string) {
    this.byKey = new Map(sites.map((s) => [s.key, s]));
    this.own = new URL(publicUrl).origin;
  }

  check(siteKey: string, origin: string | undefined): OriginVerdict {
    const site = this.byKey.get(siteKey);
    if (!site) return { ok: false, code: 'unknown-site' };
    if (origin === undefined || this.allowed(site, origin)) return { ok: true, site };
    return { ok: false, code: 'origin-not-allowed' };
  }

  private allowed(site: ChatSite, origin: string): boolean {
    let normalized: string;
    try {
      normalized = new URL(origin).origin;
    } catch {
      return false;
    }
    return normalized === this.own || site.origins.some((o) => new URL(o).origin === normalized);
  }
}
