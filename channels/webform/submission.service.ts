/**
 * One submission from form or API, checked in order of cost: honeypot, form token (minimum fill
 * time, expiry), submission id, fields (zod), the per-address limit; only then are attachments
 * stored and the message handed to the core. The answer comes after the ticket is stored, and a
 * repeat of the same submission id answers with the same ticket (the core sees a duplicate).
 */
import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  isTransient, type AttachmentRef, type BlobStore, type InboundMessage, type IngestResult, type IntakeSink, type Locale, type TokenKeys,
} from '../../src/core/index.ts';
import type { SubmissionBody } from './body-reader.ts';
import { checkFormToken } from './form-token.ts';
import type { SubmissionLimits } from './rate-limits.ts';
import { validateSubmission, type FieldErrors, type Submission } from './submission.schema.ts';
import { WebformRejection } from './webform.errors.ts';
import type { WebformChannelConfig } from './webform.settings.ts';

/** The hidden field people never see and robots fill. */
export const HONEYPOT_FIELD = 'website';
const SUBMISSION_ID = /^[A-Za-z0-9_-]{8,128}$/;

export interface SubmissionDeps {
  sink(): IntakeSink;
  blobs: BlobStore;
  keys: TokenKeys;
  limits: SubmissionLimits;
  now(): Date;
}

export type SubmitResult =
  | { ok: true; ticketNumber: number; ticketId?: string; submissionId: string; email: string; held: boolean }
  | { ok: false; errors: FieldErrors };

export class SubmissionService {
  /**
   * Ingests in flight by submission id: a double click's second request waits for the first one's
   * answer instead of racing it through the core (which would count the lost race as a failure).
   */
  private readonly inFlight = new Map<string, Promise<IngestResult>>();

  constructor(private readonly config: WebformChannelConfig, private readonly deps: SubmissionDeps) {}

  async submit(body: SubmissionBody, locale: Locale, idempotencyKey?: string): Promise<SubmitResult> {
    const { fields } = body;
    const trap = fields[HONEYPOT_FIELD];
    if (trap !== undefined && trap !== '') throw new WebformRejection(400, 'spam_suspected');
    const token = checkFormToken(this.deps.keys, fields.formToken, this.deps.now(), { minFillMs: this.config.minFillMs, ttlMs: this.config.formTokenTtlMs });
    if (!token.ok) throw new WebformRejection(400, token.code);
    const submissionId = idempotencyKey ?? fields.submissionId ?? randomUUID();
    if (typeof submissionId !== 'string' || !SUBMISSION_ID.test(submissionId)) throw new WebformRejection(400, 'invalid_submission_id');
    const checked = validateSubmission(this.config, fields, locale);
    if (!checked.ok) return checked;
    const { submission } = checked;
    await this.deps.limits.consume('address', submission.email);

    const attachments = await this.storeFiles(body);
    const message = this.inbound(submission, submissionId, attachments, locale);
    let result: IngestResult;
    try {
      result = await this.ingestOnce(message);
    } catch (err) {
      if (isTransient(err)) throw new WebformRejection(503, 'unavailable', {}, 30);
      throw err;
    }
    if (result.outcome === 'ignored') throw new WebformRejection(422, 'address_not_allowed');
    if (result.ticketNumber === undefined) throw new WebformRejection(503, 'unavailable', {}, 30);
    return {
      ok: true, ticketNumber: result.ticketNumber, ...(result.ticketId ? { ticketId: result.ticketId } : {}),
      submissionId, email: submission.email, held: this.config.verifyAddress,
    };
  }

  private ingestOnce(message: InboundMessage): Promise<IngestResult> {
    const running = this.inFlight.get(message.externalId);
    if (running) return running;
    const started = this.deps.sink().ingest(message).finally(() => this.inFlight.delete(message.externalId));
    this.inFlight.set(message.externalId, started);
    return started;
  }

  private async storeFiles(body: SubmissionBody): Promise<AttachmentRef[]> {
    const refs: AttachmentRef[] = [];
    for (const file of body.files) {
      const blob = await this.deps.blobs.put(createReadStream(file.path), { filename: file.filename, contentType: file.contentType });
      refs.push({ blobId: blob.id, filename: file.filename, contentType: file.contentType, size: blob.size, checksum: blob.checksum, inline: false });
    }
    return refs;
  }

  private inbound(s: Submission, submissionId: string, attachments: AttachmentRef[], locale: Locale): InboundMessage {
    // Category and custom fields travel with the text, labelled, so agents read them with the message.
    const extra = [
      ...(s.category ? [`Category: ${s.category}`] : []),
      ...s.custom.map((f) => `${f.label}: ${f.value}`),
    ];
    const text = extra.length ? `${s.message}\n\n--\n${extra.join('\n')}` : s.message;
    return {
      channel: 'webform', externalId: `submit:${submissionId}`, source: 'webform',
      from: { address: s.email, name: s.name }, to: [], cc: [], subject: s.subject, text, visibleText: text, attachments,
      receivedAt: this.deps.now(), threadHints: { replyTokens: [], references: [] },
      classification: 'human', classificationReason: 'web form submission', localeHint: locale,
      ...(this.config.verifyAddress ? { holdAcknowledgement: true } : {}),
      ...(s.category ? { intake: { formCategory: s.category } } : {}),
    };
  }
}
