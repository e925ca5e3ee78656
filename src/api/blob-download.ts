/**
 * Streams a stored blob as an HTTP download. A blob whose content cannot be read (missing, or
 * chunks lost underneath it) answers an error status while nothing was sent yet, and cuts the
 * transfer off once the body has started; it never takes the process down. A client that goes
 * away stops the read.
 */
import type { Response } from 'express';
import type { AttachmentRef, BlobStore, Logger } from '../core/index.ts';

const CONTENT_HEADERS = ['Content-Type', 'Content-Length', 'Content-Disposition'];

function unavailable(res: Response, blobId: string): void {
  for (const name of CONTENT_HEADERS) res.removeHeader(name);
  res.status(500).json({ error: 'attachment_unavailable', message: `the content of ${blobId} cannot be read` });
}

export async function sendBlob(res: Response, blobs: BlobStore, attachment: AttachmentRef, logger?: Logger): Promise<void> {
  const log = (err: unknown, sent: boolean) => logger?.error({ err, blobId: attachment.blobId, sent }, 'attachment download failed');
  res.set({
    'Content-Type': attachment.contentType,
    'Content-Length': String(attachment.size),
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
  let stream;
  try {
    stream = await blobs.get(attachment.blobId);
  } catch (err) {
    log(err, false);
    return unavailable(res, attachment.blobId);
  }
  stream.once('error', (err) => {
    log(err, res.headersSent);
    if (res.headersSent) res.destroy(err);
    else unavailable(res, attachment.blobId);
  });
  res.once('close', () => stream.destroy());
  stream.pipe(res);
}
