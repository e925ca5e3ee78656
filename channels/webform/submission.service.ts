/**
 * One submission from form or API, checked in order of cost: honeypot, form token (minimum fill
 * time, expiry), submission id, fields (zod), the per-address limit; only then are attachments
 * stored and the message handed to the core. The answer comes after the ticket is stored, and a
 * repeat of the same submission id answers with the same ticket (read from its stored message when
 * the limits' note says it was accepted, else the core sees a duplicate).
 * A repeat spends no rate limit: its points are given back, and while a limit is used up a repeat
 * of an accepted submission (same id, same content) is still answered (see rate-limits.ts).
 */
import { createReadStream } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
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
export const SUBMISSION_ID = /^[A-Za-z0-9_-]{8,128}$/;

export interface SubmissionDeps {
  sink(): IntakeSink;
  /** The ticket of a submission stored completely before, by its externalId (PublicTickets.filed). */
  filed(externalId: string): Promise<{ ticketNumber: number; ticketId: string } | null>;
  blobs: BlobStore;
  keys: TokenKeys;
  limits: SubmissionLimits;
  now(): Date;
}

/** What the route already charged to the per-IP limit for this request. */
export interface IpCharge {
  /** The key charged (given back if the request turns out to repeat an accepted submission). */
  key: string;
  /** The IP's window was used up and the request carries the id of a submission accepted before: it may only repeat that one. */
  limited?: WebformRejection;
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

  async submit(body: SubmissionBody, locale: Locale, idempotencyKey: string | undefined, ip: IpCharge): Promise<SubmitResult> {
    const { fields } = body;
    const trap = fields[HONEYPOT_FIELD];
    if (trap !== undefined && trap !== '') throw new WebformRejection(400, 'spam_suspected');
    const token = checkFormToken(this.deps.keys, fields.formToken, this.deps.now(), { minFillMs: this.config.minFillMs, ttlMs: this.config.formTokenTtlMs });
    if (!token.ok) throw new WebformRejection(400, token.code);
    const clientId = idempotencyKey ?? fields.submissionId;
    const submissionId = clientId ?? randomUUID();
    if (typeof submissionId !== 'string' || !SUBMISSION_ID.test(submissionId)) throw new WebformRejection(400, 'invalid_submission_id');
    const checked = validateSubmission(this.config, fields, locale);
    if (!checked.ok) return checked;
    const { submission } = checked;
    // Only a client's own id can repeat a submission; the note says "this id with this content".
    const repeatKey = clientId === undefined ? undefined : `${submissionId}:${fingerprint(submission, body)}`;
    const isRepeat = () => (repeatKey ? this.deps.limits.wasAccepted(repeatKey) : Promise.resolve(false));
    const answered = repeatKey ? await this.repeated(submissionId, submission.email, ip, isRepeat) : null;
    if (answered) return answered;
    if (ip.limited && !(await isRepeat())) throw ip.limited;
    let addressCharged = false;
    if (!ip.limited) {
      try {
        await this.deps.limits.consume('address', submission.email);
        addressCharged = true;
      } catch (err) {
        if (!(err instanceof WebformRejection) || err.status !== 429 || !(await isRepeat())) throw err;
      }
    }

    const attachments = await this.storeFiles(body);
    const message = this.inbound(submission, submissionId, attachments, locale);
    let result: IngestResult;
    let joined: boolean;
    try {
      ({ result, joined } = await this.ingestOnce(message));
    } catch (err) {
      if (isTransient(err)) throw new WebformRejection(503, 'unavailable', {}, 30);
      throw err;
    }
    if (result.outcome === 'duplicate' || joined) {
      // Not a new submission: whatever this request spent of the limits is given back.
      await Promise.all([
        ...(ip.limited ? [] : [this.deps.limits.refund('ip', ip.key)]),
        ...(addressCharged ? [this.deps.limits.refund('address', submission.email)] : []),
      ]);
    } else if (repeatKey && (result.outcome === 'created' || result.outcome === 'appended')) {
      // The bare id lets a retry past a used-up IP limit before its body is read (form.routes.ts).
      await this.deps.limits.remember(idempotencyKey === undefined ? [repeatKey] : [repeatKey, submissionId]);
    }
    if (result.outcome === 'ignored') throw new WebformRejection(422, 'address_not_allowed');
    if (result.ticketNumber === undefined) throw new WebformRejection(503, 'unavailable', {}, 30);
    return {
      ok: true, ticketNumber: result.ticketNumber, ...(result.ticketId ? { ticketId: result.ticketId } : {}),
      submissionId, email: submission.email, held: this.config.verifyAddress,
    };
  }

  /**
   * A retry of a submission noted as accepted (same id, same content) is answered from its stored
   * message: one read instead of the intake's four commands (contact, message insert, read), no
   * attachments stored again, no limit spent. Without the note (another process without Redis, a
   * restart), or before the message is complete, it goes through the intake as a duplicate.
   */
  private async repeated(submissionId: string, email: string, ip: IpCharge, isRepeat: () => Promise<boolean>): Promise<SubmitResult | null> {
    if (!(await isRepeat())) return null;
    let known: Awaited<ReturnType<SubmissionDeps['filed']>>;
    try {
      known = await this.deps.filed(`submit:${submissionId}`);
    } catch (err) {
      if (isTransient(err)) throw new WebformRejection(503, 'unavailable', {}, 30);
      throw err;
    }
    if (!known) return null;
    if (!ip.limited) await this.deps.limits.refund('ip', ip.key);
    return { ok: true, ...known, submissionId, email, held: this.config.verifyAddress };
  }

  /** `joined`: the same submission was in flight already, and this request waited for its answer. */
  private async ingestOnce(message: InboundMessage): Promise<{ result: IngestResult; joined: boolean }> {
    const running = this.inFlight.get(message.externalId);
    if (running) return { result: await running, joined: true };
    const started = this.deps.sink().ingest(message).finally(() => this.inFlight.delete(message.externalId));
    this.inFlight.set(message.externalId, started);
    return { result: await started, joined: false };
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

/** What makes two submissions under one id the same: who, what, and the files' names and sizes. */
function fingerprint(s: Submission, body: SubmissionBody): string {
  const hash = createHash('sha256');
  for (const part of [s.email, s.name, s.subject, s.message, s.category ?? '', ...s.custom.map((f) => `${f.name}=${f.value}`), ...body.files.map((f) => `${f.filename}:${f.size}`)]) {
    hash.update(part).update('\u0000');
  }
  return hash.digest('base64url').slice(0, 22);
}
