/** Identities as stored: one `kind:value` string each, so a single-field unique index covers them. */
import type { Identity, IdentityKind } from '../../core/index.ts';

const KINDS: ReadonlySet<string> = new Set<IdentityKind>(['email', 'chat', 'site']);

/** Email addresses compare case-insensitively; other ids exactly as the channel gave them. */
export function identityKey(identity: Identity): string {
  const value = identity.value.trim();
  return `${identity.kind}:${identity.kind === 'email' ? value.toLowerCase() : value}`;
}

/** The identities among stored keys (a merged contact's `merged:` marker is not one). */
export function identitiesOf(keys: readonly string[]): Identity[] {
  return keys.flatMap((key) => {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon);
    return colon > 0 && KINDS.has(kind) ? [{ kind: kind as IdentityKind, value: key.slice(colon + 1) }] : [];
  });
}
