/**
 * Channel-neutral judgements on a sender's authentication (SenderAuthentication on the inbound
 * message). Only reports from a trusted verifier count; without one, nothing is proven either way.
 */
import type { SenderAuthentication } from '../types.ts';

const domainOf = (address: string | undefined) => address?.slice(address.lastIndexOf('@') + 1).trim().toLowerCase() ?? '';

/**
 * Relaxed DKIM alignment (RFC 7489 §3.1.1), approximated without a public-suffix list: the signing
 * domain equals the From domain or one is a parent of the other. Stricter than DMARC for sibling
 * subdomains; a signature for a bare public suffix (d=co.uk) cannot be made by anyone in practice.
 */
export function dkimAligned(signingDomain: string, fromDomain: string): boolean {
  const d = signingDomain.toLowerCase().replace(/\.$/, '');
  const f = fromDomain.toLowerCase().replace(/\.$/, '');
  if (!d || !f || !d.includes('.')) return false;
  return d === f || f.endsWith(`.${d}`) || d.endsWith(`.${f}`);
}

/** True when a trusted verifier says the From address is authentic: DMARC pass, or aligned DKIM pass. */
export function senderAuthenticated(auth: SenderAuthentication | undefined, fromAddress: string | undefined): boolean {
  if (!auth?.trusted || !fromAddress?.includes('@')) return false;
  if (auth.dmarc === 'pass') return true;
  const from = domainOf(fromAddress);
  return auth.dkimPassDomains.some((d) => dkimAligned(d, from));
}

/** True when a trusted verifier says both SPF and DMARC failed: the From is very likely forged. */
export function senderForged(auth: SenderAuthentication | undefined): boolean {
  if (!auth?.trusted) return false;
  return ['fail', 'softfail'].includes(auth.spf ?? '') && auth.dmarc === 'fail';
}
