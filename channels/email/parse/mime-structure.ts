/**
 * One streaming pass over a message's MIME tree with mailsplit (the splitter mailparser itself is
 * built on), before mailparser assembles the whole message in memory. It does two jobs that need
 * the raw structure, which mailparser's result no longer shows:
 * - caps the number of parts and their nesting depth: a MIME bomb (thousands of empty parts, or
 *   parts nested thousands deep) costs mailparser memory and recursion long before it reaches the
 *   byte limit;
 * - keeps the transfer-decoded bytes of body text parts without a usable charset label (none, or
 *   US-ASCII, which 8-bit bytes prove wrong), because mailparser reads those as UTF-8 and loses
 *   the original bytes (charset.ts re-reads them).
 */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import mailsplit, { type MimeNode, type SplitterChunk } from '@zone-eu/mailsplit';
import { ErrorCodes, MalformedInputError } from '../../../src/core/index.ts';

export interface MimeStructureLimits {
  /** Every node counts: the root, each multipart container and each leaf. */
  maxParts: number;
  /** The root is at depth 1; a leaf in multipart/mixed > multipart/alternative is at depth 3. */
  maxDepth: number;
}

/** A text/plain or text/html body part without a usable charset label, transfer-decoded. */
export interface UnlabeledTextPart {
  html: boolean;
  bytes: Buffer;
}

export interface MimeStructure {
  parts: number;
  depth: number;
  unlabeledText: UnlabeledTextPart[];
}

function depthOf(node: MimeNode): number {
  let depth = 1;
  for (let parent = node.parentNode; parent; parent = parent.parentNode) depth += 1;
  return depth;
}

/** A body text part mailparser will decode as UTF-8 because its label says nothing else. */
function isUnlabeledText(node: MimeNode): boolean {
  // RFC 2045 §5.2: a part without Content-Type is text/plain.
  const type = node.contentType || 'text/plain';
  const unlabeled = !node.charset || /^(us-?)?ascii$/i.test(node.charset);
  return (type === 'text/plain' || type === 'text/html') && unlabeled && node.disposition !== 'attachment';
}

async function transferDecoded(node: MimeNode, encoded: Buffer[]): Promise<Buffer> {
  const decoder = node.getDecoder();
  const [, bytes] = await Promise.all([pipeline(Readable.from(encoded), decoder), buffer(decoder)]);
  return bytes;
}

/**
 * Walks the MIME tree of `raw`.
 * @throws MalformedInputError with code TOO_LARGE past a limit, MALFORMED when the splitter fails.
 */
/**
 * Header bytes one MIME node may have (mailsplit and mailparser default to 1 MiB). A mail with tens
 * of thousands of Cc addresses is real (a mass mailing with everyone in copy) and must become a
 * ticket with capped participants, not a quarantine item; the whole mail is capped anyway.
 */
export const MAX_HEAD_BYTES = 4 * 1024 * 1024;

export async function scanMimeStructure(raw: Buffer, limits: MimeStructureLimits): Promise<MimeStructure> {
  const splitter = new mailsplit.Splitter({ maxHeadSize: MAX_HEAD_BYTES });
  const unlabeled = new Map<MimeNode, Buffer[]>();
  let parts = 0;
  let depth = 0;
  splitter.end(raw);
  try {
    for await (const chunk of splitter as AsyncIterable<SplitterChunk>) {
      if (chunk.type === 'node') {
        parts += 1;
        depth = Math.max(depth, depthOf(chunk));
        if (parts > limits.maxParts) {
          throw new MalformedInputError(`more than ${limits.maxParts} MIME parts`, ErrorCodes.TOO_LARGE);
        }
        if (depth > limits.maxDepth) {
          throw new MalformedInputError(`MIME parts nested deeper than ${limits.maxDepth} levels`, ErrorCodes.TOO_LARGE);
        }
        if (!chunk.multipart && isUnlabeledText(chunk)) unlabeled.set(chunk, []);
      } else if (chunk.type === 'body') {
        unlabeled.get(chunk.node)?.push(chunk.value);
      }
    }
  } catch (err) {
    if (err instanceof MalformedInputError) throw err;
    throw new MalformedInputError(`unparseable MIME structure: ${(err as Error).message}`);
  }
  const unlabeledText: UnlabeledTextPart[] = [];
  for (const [node, encoded] of unlabeled) {
    unlabeledText.push({ html: node.contentType === 'text/html', bytes: await transferDecoded(node, encoded) });
  }
  return { parts, depth, unlabeledText };
}
