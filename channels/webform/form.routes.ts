/**
 * The form's routes: the page (GET/POST /support, works without JavaScript), its scripts, and the
 * API (GET /api/v1/forms/token, POST /api/v1/forms/submit). Every rejection is counted in metrics
 * and logged with its code and the request's address, never with what the customer wrote.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import type { Locale, Logger, Metrics, TokenKeys } from '../../src/core/index.ts';
import { readSubmissionBody, type SubmissionBody } from './body-reader.ts';
import type { Csrf } from './csrf.ts';
import { signFormToken } from './form-token.ts';
import { fieldMessage, formView, limitVars, type FormState } from './form-view.ts';
import { asLocale, pickLocale } from './locale.ts';
import { PAGE_HEADERS, renderPage } from './pages.ts';
import type { SubmissionLimits } from './rate-limits.ts';
import { stringsFor, fill } from './strings.ts';
import { SUBMISSION_ID, type IpCharge, type SubmissionService } from './submission.service.ts';
import { WebformRejection } from './webform.errors.ts';
import type { WebformChannelConfig } from './webform.settings.ts';

export interface FormRouteDeps {
  config: WebformChannelConfig;
  service: SubmissionService;
  limits: SubmissionLimits;
  csrf: Csrf;
  keys: TokenKeys;
  publicUrl: string;
  metrics: Metrics;
  logger: Logger;
  now(): Date;
}

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), 'utf8');
const ipOf = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
const queryLang = (req: Request) => (req.query as Record<string, unknown>).lang;

export function formRoutes(deps: FormRouteDeps): Router {
  const router = Router();
  const { config } = deps;
  const formJs = asset('form.js');
  const embedJs = asset('embed.js').replace('__PUBLIC_URL__', JSON.stringify(deps.publicUrl.replace(/\/$/, '')));

  function reject(req: Request, err: WebformRejection): void {
    // Refused before (or while) its body was read: drain the rest so the answer reaches the client.
    if (!req.readableEnded) req.resume();
    deps.metrics.rejected('webform', err.code);
    deps.logger.info({ code: err.code, status: err.status, ip: ipOf(req), path: req.path }, 'submission rejected');
  }

  /**
   * The IP limit comes before the body is read: a flood costs us as little as possible. Only a
   * request naming (by Idempotency-Key) a submission accepted earlier gets its body read past a
   * used-up limit, and then it may only repeat that submission (submission.service.ts checks).
   */
  async function parse(req: Request, key?: string): Promise<{ body: SubmissionBody; ip: IpCharge }> {
    const ip: IpCharge = { key: ipOf(req) };
    try {
      await deps.limits.consume('ip', ip.key);
    } catch (err) {
      if (!(err instanceof WebformRejection) || err.status !== 429 || !key || !SUBMISSION_ID.test(key) || !(await deps.limits.wasAccepted(key))) throw err;
      ip.limited = err;
    }
    return { body: await readSubmissionBody(req, config.attachments), ip };
  }

  function sendPage(req: Request, res: Response, status: number, locale: Locale, state: FormState): void {
    const embed = (req.query as Record<string, unknown>).embed === '1';
    const t = stringsFor(locale);
    const other = (t.otherLang as { code: Locale }).code;
    res.status(status).set(PAGE_HEADERS).send(renderPage('form', {
      base: '', lang: locale, title: t.title as string, embed, script: true,
      switchHref: `/support?lang=${other}${embed ? '&embed=1' : ''}`,
    }, {
      ...formView(config, locale, state), csrf: deps.csrf.token(req, res), formToken: signFormToken(deps.keys, deps.now()),
      submissionId: randomUUID(),
    }));
  }

  router.get('/support/form.js', (_req, res) => { res.type('application/javascript').set('cache-control', 'public, max-age=300').send(formJs); });
  router.get('/support/embed.js', (_req, res) => { res.type('application/javascript').set('cache-control', 'public, max-age=300').send(embedJs); });

  router.get('/support', (req, res) => {
    sendPage(req, res, 200, pickLocale(queryLang(req), req.headers['accept-language']), { values: {}, errors: {}, formErrors: [] });
  });

  router.post('/support', async (req, res, next) => {
    let locale = pickLocale(queryLang(req), req.headers['accept-language']);
    let body: SubmissionBody | undefined;
    try {
      const parsed = await parse(req);
      body = parsed.body;
      locale = asLocale(body.fields.lang) ?? locale;
      if (!deps.csrf.valid(req, body.fields)) throw new WebformRejection(403, 'csrf_failed');
      const result = await deps.service.submit(body, locale, undefined, parsed.ip);
      if (!result.ok) {
        deps.metrics.rejected('webform', 'validation');
        sendPage(req, res, 400, locale, { values: body.fields, errors: result.errors, formErrors: [] });
        return;
      }
      const t = stringsFor(locale);
      res.status(201).set(PAGE_HEADERS).send(renderPage('confirm', { base: '', lang: locale, title: t.confirmTitle as string, embed: (req.query as Record<string, unknown>).embed === '1' }, {
        ticketNumber: result.ticketNumber,
        notice: fill((result.held ? t.confirmVerify : t.confirmMail) as string, { email: result.email }),
      }));
    } catch (err) {
      if (!(err instanceof WebformRejection)) return next(err);
      reject(req, err);
      if (err.retryAfterSec) res.set('retry-after', String(err.retryAfterSec));
      sendPage(req, res, err.status, locale, { values: body?.fields ?? {}, errors: {}, formErrors: [{ code: err.code, vars: err.vars }] });
    } finally {
      await body?.discard();
    }
  });

  router.get('/api/v1/forms/token', (_req, res) => {
    res.set('cache-control', 'no-store').json({
      formToken: signFormToken(deps.keys, deps.now()), submissionId: randomUUID(), minFillMs: config.minFillMs,
      expiresAt: new Date(deps.now().getTime() + config.formTokenTtlMs).toISOString(),
    });
  });

  router.post('/api/v1/forms/submit', async (req, res, next) => {
    let locale = pickLocale(queryLang(req), req.headers['accept-language']);
    let body: SubmissionBody | undefined;
    const key = req.headers['idempotency-key'];
    try {
      const idempotencyKey = typeof key === 'string' ? key : undefined;
      const parsed = await parse(req, idempotencyKey);
      body = parsed.body;
      locale = asLocale(body.fields.lang) ?? locale;
      const result = await deps.service.submit(body, locale, idempotencyKey, parsed.ip);
      if (!result.ok) {
        deps.metrics.rejected('webform', 'validation');
        deps.logger.info({ code: 'validation_failed', fields: Object.keys(result.errors), ip: ipOf(req) }, 'submission rejected');
        const fields = Object.fromEntries(Object.entries(result.errors).map(([name, e]) => [name, { code: e.code, message: fieldMessage(locale, e.code, e.max ? { max: e.max } : {}) }]));
        res.status(400).json({ error: 'validation_failed', message: stringsFor(locale).errorSummary, fields });
        return;
      }
      res.status(201).json({ ticketNumber: result.ticketNumber, submissionId: result.submissionId });
    } catch (err) {
      if (!(err instanceof WebformRejection)) return next(err);
      reject(req, err);
      if (err.retryAfterSec) res.set('retry-after', String(err.retryAfterSec));
      res.status(err.status).json({ error: err.code, message: fieldMessage(locale, err.code, { ...limitVars(config), ...err.vars }) });
    } finally {
      await body?.discard();
    }
  });
  return router;
}
