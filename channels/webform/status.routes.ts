/**
 * The customer's private pages behind signed links: the status page of one ticket (its public
 * thread and a reply box) and the address check that releases a held acknowledgement. A link is
 * bound to its ticket's id, so it opens that ticket only; a tampered, foreign or expired link gets
 * a plain page in both languages' terms (the request's), never an error dump.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import {
  isTransient, signReplyToken, verifyLinkToken, type IntakeSink, type LinkCheck, type Locale, type Logger, type Metrics,
  type PublicThread, type PublicTickets, type TokenKeys,
} from '../../src/core/index.ts';
import { readSubmissionBody } from './body-reader.ts';
import type { Csrf } from './csrf.ts';
import { fieldMessage } from './form-view.ts';
import { pickLocale } from './locale.ts';
import { PAGE_HEADERS, renderPage } from './pages.ts';
import type { SubmissionLimits } from './rate-limits.ts';
import { fill, stringsFor } from './strings.ts';
import { WebformRejection } from './webform.errors.ts';
import { FIELD_MAX } from './webform.settings.ts';

export interface StatusRouteDeps {
  tickets: PublicTickets;
  sink(): IntakeSink;
  keys: TokenKeys;
  csrf: Csrf;
  limits: SubmissionLimits;
  metrics: Metrics;
  logger: Logger;
  now(): Date;
}

const REPLY_ID = /^[A-Za-z0-9_-]{8,128}$/;

export function statusRoutes(deps: StatusRouteDeps): Router {
  const router = Router();

  function notice(res: Response, status: number, locale: Locale, heading: string, text: string, role = 'alert'): void {
    res.status(status).set(PAGE_HEADERS).send(renderPage('notice', { base: '', lang: locale, title: heading }, { heading, text, role }));
  }

  function badLink(req: Request, res: Response, check: Extract<LinkCheck, { ok: false }> | { reason: 'invalid' }): void {
    const locale = pickLocale((req.query as Record<string, unknown>).lang, req.headers['accept-language']);
    const t = stringsFor(locale);
    deps.metrics.rejected('webform', `link-${check.reason}`);
    deps.logger.info({ reason: check.reason, path: req.path.split('/').slice(0, 3).join('/') }, 'signed link refused');
    notice(res, check.reason === 'expired' ? 410 : 404, locale, t.linkInvalidTitle as string, (check.reason === 'expired' ? t.linkExpired : t.linkInvalid) as string);
  }

  /** The thread a valid status link opens, or null after answering with the bad-link page. */
  async function open(req: Request, res: Response): Promise<PublicThread | null> {
    const check = verifyLinkToken(deps.keys, 'status', String(req.params.token), deps.now());
    if (!check.ok) { badLink(req, res, check); return null; }
    const thread = await deps.tickets.thread(check.ticketId);
    if (!thread) { badLink(req, res, { reason: 'invalid' }); return null; }
    return thread;
  }

  function sendStatus(req: Request, res: Response, status: number, thread: PublicThread, extra: { sent?: boolean; replyError?: string; replyValue?: string; formErrors?: Array<{ message: string }> } = {}): void {
    const locale = pickLocale((req.query as Record<string, unknown>).lang, req.headers['accept-language'], thread.locale);
    const t = stringsFor(locale) as unknown as Record<string, unknown> & { statuses: Record<string, string> };
    const heading = fill(t.statusTitle as string, { number: thread.number });
    const fmt = new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    res.status(status).set(PAGE_HEADERS).send(renderPage('status', { base: '', lang: locale, title: heading }, {
      heading, subject: thread.subject, statusText: t.statuses[thread.status] ?? thread.status,
      messages: thread.messages.map((m) => ({
        author: m.author, text: m.text, iso: m.at.toISOString(), when: `${fmt.format(m.at)} UTC`, attachments: m.attachments,
        who: m.author === 'agent' ? `${m.name ?? t.support} (${t.support})` : `${m.name ?? t.you}`,
      })),
      action: `/support/t/${String(req.params.token)}?lang=${locale}`, csrf: deps.csrf.token(req, res), replyId: randomUUID(),
      maxLength: FIELD_MAX.message, formErrors: extra.formErrors ?? [], sent: extra.sent, replyError: extra.replyError, replyValue: extra.replyValue,
    }));
  }

  router.get('/support/t/:token', async (req, res, next) => {
    try {
      const thread = await open(req, res);
      if (thread) sendStatus(req, res, 200, thread, { sent: (req.query as Record<string, unknown>).sent === '1' });
    } catch (err) { next(err); }
  });

  router.post('/support/t/:token', async (req, res, next) => {
    const locale = pickLocale((req.query as Record<string, unknown>).lang, req.headers['accept-language']);
    try {
      const thread = await open(req, res);
      if (!thread) return;
      let fields: Record<string, unknown> = {};
      try {
        await deps.limits.consume('ip', req.ip ?? 'unknown');
        const body = await readSubmissionBody(req, { maxFiles: 0, maxFileBytes: 1024, allowedTypes: [] });
        await body.discard();
        fields = body.fields;
        if (!deps.csrf.valid(req, fields)) throw new WebformRejection(403, 'csrf_failed');
      } catch (err) {
        if (!(err instanceof WebformRejection)) throw err;
        deps.metrics.rejected('webform', err.code);
        deps.logger.info({ code: err.code, ip: req.ip }, 'status reply rejected');
        sendStatus(req, res, err.status, thread, { formErrors: [{ message: fieldMessage(locale, err.code, err.vars) }], replyValue: typeof fields.message === 'string' ? fields.message : '' });
        return;
      }
      const text = typeof fields.message === 'string' ? fields.message.trim() : undefined;
      const code = text === undefined ? (fields.message === undefined ? 'required' : 'not_text') : !text ? 'required' : text.length > FIELD_MAX.message ? 'too_long' : null;
      const replyId = typeof fields.replyId === 'string' && REPLY_ID.test(fields.replyId) ? fields.replyId : null;
      if (code || !replyId || !thread.requester.email) {
        deps.metrics.rejected('webform', 'validation');
        sendStatus(req, res, 400, thread, { replyError: fieldMessage(locale, code ?? 'malformed', { max: FIELD_MAX.message }), replyValue: text ?? '' });
        return;
      }
      // From the requester, whom the link was mailed to; threaded by a reply token we sign ourselves.
      const result = await deps.sink().ingest({
        channel: 'webform', externalId: `reply:${replyId}`, source: 'webform:status',
        from: { address: thread.requester.email, ...(thread.requester.name ? { name: thread.requester.name } : {}) },
        to: [], cc: [], subject: thread.subject, text: text!, visibleText: text!, attachments: [], receivedAt: deps.now(),
        threadHints: { replyTokens: [signReplyToken(deps.keys, thread.number)], references: [] },
        classification: 'human', classificationReason: 'reply on the status page', localeHint: thread.locale,
      });
      if (result.ticketNumber === undefined) throw new WebformRejection(503, 'unavailable');
      res.redirect(303, `/support/t/${String(req.params.token)}?lang=${locale}&sent=1`);
    } catch (err) {
      if (err instanceof WebformRejection || isTransient(err)) {
        res.set('retry-after', '30');
        notice(res, 503, locale, stringsFor(locale).linkInvalidTitle as string, fieldMessage(locale, 'unavailable'));
        return;
      }
      next(err);
    }
  });

  router.get('/support/verify/:token', async (req, res, next) => {
    try {
      const check = verifyLinkToken(deps.keys, 'verify', String(req.params.token), deps.now());
      if (!check.ok) return badLink(req, res, check);
      const decision = await deps.tickets.confirmAddress(check.ticketId);
      const thread = decision ? await deps.tickets.thread(check.ticketId) : null;
      if (!thread) return badLink(req, res, { reason: 'invalid' });
      const locale = pickLocale((req.query as Record<string, unknown>).lang, req.headers['accept-language']);
      const t = stringsFor(locale);
      notice(res, 200, locale, t.verifiedTitle as string, fill(t.verified as string, { number: thread.number }), 'status');
    } catch (err) { next(err); }
  });
  return router;
}
