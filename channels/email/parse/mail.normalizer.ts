/**
 * Turns raw RFC 822 bytes into one InboundMessage in two stages: the parse (mail.parser.ts), in a
 * worker thread with a time budget (parse-pool.ts), then, on this thread, the store: the raw
 * mail and every attachment go to the blob store. Throws MalformedInputError for input that
 * cannot be a mail, is over a limit, or takes longer than the budget to parse (the caller
 * quarantines it with its bytes).
 */
import { ErrorCodes, MalformedInputError, type BlobStore, type InboundMessage } from '../../../src/core/index.ts';
import { storageFilename } from './attachment-filename.ts';
import type { ParseLimits, ParseOptions, ParsedInbound } from './mail.parser.ts';
import { parseInWorker } from './parse-pool.ts';

export interface MailLimits extends ParseLimits {
  maxMessageBytes: number;
  /** Time one mail may take to parse before it is quarantined as `parse-timeout` (default DEFAULT_PARSE_TIMEOUT_MS). */
  parseTimeoutMs?: number;
}

/** Real mail parses in well under a second; a budget that only hostile input exhausts. */
export const DEFAULT_PARSE_TIMEOUT_MS = 20_000;

export interface NormalizeContext {
  blobs: BlobStore;
  supportAddress: string;
  limits: MailLimits;
  /** Skip structure and size checks: an admin's explicit `quarantine retry --force`. */
  lenient?: boolean;
  /** authserv-ids of our own MTA: only their Authentication-Results headers count. None: trust none. */
  trustedAuthservIds?: readonly string[];
  /** The parse stage; by default the worker pool. */
  parse?: (raw: Buffer, options: ParseOptions, timeoutMs: number) => Promise<ParsedInbound>;
}

export async function normalizeMail(raw: Buffer, ctx: NormalizeContext): Promise<InboundMessage> {
  if (!ctx.lenient && raw.length > ctx.limits.maxMessageBytes) {
    throw new MalformedInputError(`message is ${raw.length} bytes, over the ${ctx.limits.maxMessageBytes}-byte limit`, ErrorCodes.TOO_LARGE);
  }
  const parse = ctx.parse ?? parseInWorker;
  const { message, attachments: parsedAttachments } = await parse(
    raw,
    {
      supportAddress: ctx.supportAddress, limits: ctx.limits, trustedAuthservIds: ctx.trustedAuthservIds ?? [],
      ...(ctx.lenient ? { lenient: true } : {}),
    },
    ctx.limits.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS,
  );

  const rawBlob = await ctx.blobs.put(raw, { filename: 'message.eml', contentType: 'message/rfc822' });
  const attachments = [];
  for (const [index, att] of parsedAttachments.entries()) {
    const filename = storageFilename(att.filename, index);
    const content = Buffer.from(att.content.buffer, att.content.byteOffset, att.content.byteLength);
    const blob = await ctx.blobs.put(content, { filename, contentType: att.contentType || 'application/octet-stream' });
    attachments.push({
      blobId: blob.id, filename, contentType: blob.contentType, size: blob.size, checksum: blob.checksum,
      ...(att.contentId ? { contentId: att.contentId } : {}),
      inline: att.inline,
    });
  }
  return { ...message, attachments, rawBlobId: rawBlob.id };
}
