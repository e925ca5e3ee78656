/**
 * The pure half of reading a mail: raw RFC 822 bytes in, plain data out, nothing stored. It
 * checks the MIME structure (mime-structure.ts), parses with mailparser, reads the body
 * (mail-body.ts), thread hints, the sender's locale, the loop-guard classification and, for a
 * delivery report, what it reports (dsn.parser.ts, from the same parse). It runs in a worker
 * thread with a time budget (parse-pool.ts), so everything it returns is structured-clone-able
 * and attachment contents travel as transferable buffers.
 * Throws MalformedInputError for input that cannot be a mail or is over a limit.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { ErrorCodes, MalformedInputError, tokensInAddresses, type Address, type InboundMessage } from '../../../src/core/index.ts';
import { senderAuthentication } from './auth-results.parser.ts';
import { parseDeliveryReport } from './dsn.parser.ts';
import { capped, MAX_SUBJECT_CHARS } from './input-caps.ts';
import { classifyMail } from '../classify/mail.classifier.ts';
import { mailBody } from '../body/mail-body.ts';
import { addressesIn, headerValue, headerValues, messageIdsIn } from './mail-headers.ts';
import { localeFromHeaders } from '../classify/locale-hint.ts';
import { MAX_HEAD_BYTES, scanMimeStructure, type MimeStructureLimits } from './mime-structure.ts';

export interface ParseLimits {
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** MIME parts in the whole tree, containers included (default DEFAULT_MIME_LIMITS.maxParts). */
  maxMimeParts?: number;
  /** How deep MIME parts may nest, the message itself being level 1 (default DEFAULT_MIME_LIMITS.maxDepth). */
  maxMimeDepth?: number;
}

export interface ParseOptions {
  supportAddress: string;
  limits: ParseLimits;
  /** Skip structure and size checks: an admin's explicit `quarantine retry --force`. */
  lenient?: boolean;
  /** authserv-ids of our own MTA: only their Authentication-Results headers count. None: trust none. */
  trustedAuthservIds?: readonly string[];
}

/** An attachment before it is stored: its content and what the mail says about it. */
export interface ParsedAttachment {
  content: Uint8Array;
  filename: string | undefined;
  contentType: string;
  contentId?: string;
  inline: boolean;
}

/** Everything of the InboundMessage that comes from the bytes alone; the store adds the rest. */
export interface ParsedInbound {
  message: Omit<InboundMessage, 'attachments' | 'rawBlobId'>;
  attachments: ParsedAttachment[];
}

/**
 * Far above real mail (a reply with 20 attachments has about 25 parts nested 3 or 4 deep; a
 * forwarded message adds a few levels), far below what costs mailparser real memory and time.
 */
export const DEFAULT_MIME_LIMITS: MimeStructureLimits = { maxParts: 500, maxDepth: 20 };
const NO_MIME_LIMITS: MimeStructureLimits = { maxParts: Infinity, maxDepth: Infinity };

/**
 * References a thread is looked up by: the root and the newest ones. Real threads carry a few
 * dozen; a crafted mail 80,000, each one a lookup.
 */
const MAX_REFERENCE_HINTS = 50;
function referenceHints(value: string | string[] | undefined): string[] {
  const ids = [...new Set(messageIdsIn(value))];
  return ids.length <= MAX_REFERENCE_HINTS ? ids : [ids[0]!, ...ids.slice(ids.length - (MAX_REFERENCE_HINTS - 1))];
}

function addresses(field: AddressObject | AddressObject[] | undefined): Address[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((group) => group.value)
    .flatMap((a) => (a.group ? a.group : [a]))
    .filter((a) => a.address)
    .map((a) => ({ address: a.address!.toLowerCase(), ...(a.name ? { name: a.name } : {}) }));
}

/** Rejects input that parsed to nothing a mail would have. */
function assertLooksLikeMail(parsed: ParsedMail, raw: Buffer): void {
  if (parsed.headerLines.length === 0) throw new MalformedInputError('no header fields: not an RFC 822 message');
  const known = ['from', 'to', 'subject', 'date', 'message-id', 'received', 'mime-version', 'content-type'];
  if (!parsed.headerLines.some((h) => known.includes(h.key))) {
    throw new MalformedInputError('none of From, To, Subject, Date, Message-ID or Received is present');
  }
  const contentType = headerValue(parsed.headerLines, 'content-type') ?? '';
  if (/^\s*multipart\//i.test(contentType) && !/boundary\s*=/i.test(contentType)) {
    throw new MalformedInputError('multipart message without a boundary');
  }
  if (/^\s*multipart\//i.test(contentType)) {
    const boundary = /boundary\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
    if (boundary && !raw.includes(`--${boundary}`)) throw new MalformedInputError(`multipart boundary "${boundary}" never occurs`);
  }
}

function assertLimits(parsed: ParsedMail, raw: Buffer, limits: ParseLimits): void {
  assertLooksLikeMail(parsed, raw);
  if (parsed.attachments.length > limits.maxAttachments) {
    throw new MalformedInputError(`${parsed.attachments.length} attachments, over the limit of ${limits.maxAttachments}`, ErrorCodes.TOO_LARGE);
  }
  const oversized = parsed.attachments.find((a) => a.size > limits.maxAttachmentBytes);
  if (oversized) {
    throw new MalformedInputError(`attachment "${oversized.filename ?? 'unnamed'}" is ${oversized.size} bytes, over the limit`, ErrorCodes.TOO_LARGE);
  }
}

export async function parseMail(raw: Buffer, options: ParseOptions): Promise<ParsedInbound> {
  const structure = await scanMimeStructure(raw, options.lenient ? NO_MIME_LIMITS : {
    maxParts: options.limits.maxMimeParts ?? DEFAULT_MIME_LIMITS.maxParts,
    maxDepth: options.limits.maxMimeDepth ?? DEFAULT_MIME_LIMITS.maxDepth,
  });
  let parsed: ParsedMail;
  try {
    // Text is derived from HTML in mail-body.ts, after charset repair, so mailparser must not do it.
    parsed = await simpleParser(raw, { keepCidLinks: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, maxHeadSize: MAX_HEAD_BYTES });
  } catch (err) {
    throw new MalformedInputError(`unparseable MIME: ${(err as Error).message}`);
  }
  if (!options.lenient) assertLimits(parsed, raw, options.limits);

  const lines = parsed.headerLines;
  const subject = capped(parsed.subject ?? '', MAX_SUBJECT_CHARS);
  const [supportLocal = '', supportDomain = ''] = options.supportAddress.toLowerCase().split('@');
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const envelopeRecipients = ['delivered-to', 'x-original-to', 'envelope-to']
    .flatMap((name) => headerValues(lines, name)).flatMap(addressesIn);
  const recipients = [...to, ...cc].map((a) => a.address).concat(envelopeRecipients);
  const from = addresses(parsed.from)[0];
  const messageId = parsed.messageId?.replace(/^<|>$/g, '').trim() || undefined;
  const body = mailBody(parsed, structure.unlabeledText);
  const tag = /\[#(\d{1,12})\]/.exec(subject)?.[1];
  const inReplyTo = messageIdsIn(headerValue(lines, 'in-reply-to'))[0];
  const localeHint = localeFromHeaders(lines);
  const { classification, reason } = classifyMail(lines, subject);

  return {
    message: {
      channel: 'email',
      externalId: messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`,
      ...(messageId ? { messageId } : {}),
      from: from ? { address: from.address, ...(from.name ? { name: from.name } : {}) } : {},
      to,
      cc,
      subject,
      text: body.text,
      ...(body.html !== undefined ? { html: body.html } : {}),
      visibleText: body.visibleText,
      receivedAt: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : new Date(),
      threadHints: {
        replyTokens: tokensInAddresses(recipients, supportDomain, supportLocal),
        ...(inReplyTo ? { inReplyTo } : {}),
        references: referenceHints(parsed.references),
        ...(tag ? { subjectTag: Number(tag) } : {}),
      },
      classification,
      classificationReason: reason,
      ...(localeHint ? { localeHint } : {}),
      // X-Loop names the system that already handled the mail: when it is us, answering would loop.
      loopMarkers: headerValues(lines, 'x-loop'),
      authentication: senderAuthentication(lines, options.trustedAuthservIds ?? []),
      // A delivery report is read from this same parse, for its delivery-status part.
      ...(classification === 'bounce' ? { bounce: parseDeliveryReport(parsed, options.supportAddress, raw) } : {}),
    },
    attachments: parsed.attachments.map((att) => ({
      content: att.content,
      filename: att.filename,
      contentType: att.contentType,
      ...(att.cid ? { contentId: att.cid.replace(/^<|>$/g, '') } : {}),
      inline: att.contentDisposition === 'inline' || Boolean(att.related),
    })),
  };
}
