/**
 * Keeps a message document far below MongoDB's 16 MB limit whatever arrives: a text or HTML body
 * over the preview size goes to the blob store whole, and the document keeps a bounded preview
 * plus the blob's id; the stored To/Cc lists are cut to a bounded length (the raw mail in the blob
 * store keeps the full ones). The content hash tells a re-delivery of the same mail from a
 * different mail that reuses its Message-ID.
 */
import { createHash } from 'node:crypto';
import type { BlobStore } from './ports.ts';
import type { Address, InboundMessage } from './types.ts';

/** Stored To and Cc entries per message; the counts record how many there were. */
export const MAX_STORED_RECIPIENTS = 100;

export interface BoundedBody {
  text: string;
  html?: string;
  visibleText: string;
  /** Blob ids of the full bodies, set only when the stored text/html is a preview. */
  textBlobId?: string;
  htmlBlobId?: string;
}

/** The first `maxBytes` of `s` in UTF-8, never cutting a character in half. */
export function utf8Prefix(s: string, maxBytes: number): string {
  if (s.length <= maxBytes / 3 || Buffer.byteLength(s) <= maxBytes) return s;
  const cut = Buffer.from(s.slice(0, maxBytes)).subarray(0, maxBytes).toString('utf8');
  return cut.endsWith('\uFFFD') ? cut.slice(0, -1) : cut;
}

async function bound(body: string, previewBytes: number, blobs: BlobStore, contentType: string): Promise<{ value: string; blobId?: string }> {
  if (Buffer.byteLength(body) <= previewBytes) return { value: body };
  const blob = await blobs.put(Buffer.from(body), { filename: contentType === 'text/html' ? 'body.html' : 'body.txt', contentType: `${contentType}; charset=utf-8` });
  return { value: utf8Prefix(body, previewBytes), blobId: blob.id };
}

export async function boundBody(message: InboundMessage, previewBytes: number, blobs: BlobStore): Promise<BoundedBody> {
  const text = await bound(message.text, previewBytes, blobs, 'text/plain');
  const html = message.html === undefined ? undefined : await bound(message.html, previewBytes, blobs, 'text/html');
  return {
    text: text.value,
    ...(html ? { html: html.value } : {}),
    visibleText: utf8Prefix(message.visibleText, previewBytes),
    ...(text.blobId ? { textBlobId: text.blobId } : {}),
    ...(html?.blobId ? { htmlBlobId: html.blobId } : {}),
  };
}

export function capRecipients(list: Address[]): Address[] {
  return list.length > MAX_STORED_RECIPIENTS ? list.slice(0, MAX_STORED_RECIPIENTS) : list;
}

/** What makes a mail this mail, whatever path it came by (trace headers differ between deliveries). */
export function contentHash(message: InboundMessage): string {
  const hash = createHash('sha256');
  for (const part of [message.from.address ?? '', message.subject, message.text, message.html ?? '', ...message.attachments.map((a) => a.checksum)]) {
    hash.update(part).update('\u0000');
  }
  return hash.digest('hex');
}
