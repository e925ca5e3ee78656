/**
 * Whether a file's first bytes agree with the type it claims, for the types whose files start
 * with a known signature: a renamed executable is not let in as image/png.
 */
const SIGNATURES: Record<string, Array<number[]>> = {
  'image/png': [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  'image/jpeg': [[0xff, 0xd8, 0xff]],
  'image/gif': [[0x47, 0x49, 0x46, 0x38]],
  'image/webp': [[0x52, 0x49, 0x46, 0x46]],
  'application/pdf': [[0x25, 0x50, 0x44, 0x46, 0x2d]],
};

export function contentMatchesType(contentType: string, head: Buffer): boolean {
  const signatures = SIGNATURES[contentType];
  if (!signatures) return true; // no signature to check (e.g. text/plain)
  return signatures.some((sig) => sig.every((byte, i) => head[i] === byte));
}
