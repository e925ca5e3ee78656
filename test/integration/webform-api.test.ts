/**
 * POST /api/v1/forms/submit against the real gateway and database: a valid submission files one
 * ticket and is acknowledged by email with a status link; every validation error, operator
 * injection, honeypot, too-fast or expired form, duplicate submit, and the upload limits.
 * Nothing is stored from a rejected submission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebformGateway, statusLinkIn, type WebformGateway } from '../support/webform-gateway.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 7)]);

describe('web form API', () => {
  let w: WebformGateway;
  const logs: string[] = [];
  const valid = (extra: Record<string, unknown> = {}) => ({
    name: 'Dewi Lestari', email: 'dewi@example.org', subject: 'Printer offline', message: 'The printer on floor 2 is offline.',
    category: 'technical', formToken: w.formToken(), ...extra,
  });
  const ticketCount = async () => (await w.gateway.repos.tickets.list({ limit: 100 })).length;
  const blobCount = () => w.gateway.conn.db!.collection('blobs.files').countDocuments().catch(() => 0);

  beforeAll(async () => {
    w = await startWebformGateway('webform-api', {
      categories: ['billing', 'technical'],
      customFields: [{ name: 'order', label: { en: 'Order number', id: 'Nomor pesanan' }, required: false, maxLength: 20 }],
      attachments: { maxFiles: 2, maxFileBytes: 4096, allowedTypes: ['image/png', 'text/plain'] },
    }, { metrics: { enabled: true } }, logs);
  });
  afterAll(async () => { await w?.stop(); });

  it('files a ticket, answers 201 with its number, and acknowledges by email with a status link', async () => {
    const res = await w.submitJson(valid({ submissionId: 'first-submission-1', custom_order: 'A-1001' }));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toEqual({ ticketNumber: expect.any(Number), submissionId: 'first-submission-1' });
    const ticket = await w.gateway.repos.tickets.byNumber(body.ticketNumber);
    expect(ticket?.channel).toBe('webform');
    expect(ticket?.subject).toBe('Printer offline');
    const [message] = await w.gateway.repos.messages.listByTicket(ticket!.id);
    expect(message!.text).toContain('Category: technical');
    expect(message!.text).toContain('Order number: A-1001');
    const [mail] = await w.sink.waitFor(1);
    expect(mail!.envelope.to).toEqual(['dewi@example.org']);
    expect(mail!.parsed.subject).toContain(`[#${body.ticketNumber}]`);
    expect(statusLinkIn(mail!.parsed.text)).toMatch(/\/support\/t\/tk_[0-9a-f]+\./);
  });

  it('makes one ticket of a double click: the same submission id gets the same answer', async () => {
    const before = await ticketCount();
    const payload = valid({ submissionId: 'double-click-0001' });
    const [a, b] = await Promise.all([w.submitJson(payload), w.submitJson(payload)]);
    const c = await w.submitJson(payload, { 'idempotency-key': 'double-click-0001' });
    const answers = await Promise.all([a, b, c].map(async (r) => ({ status: r.status, body: await r.json() })));
    expect(answers.map((x) => x.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((x) => x.body.ticketNumber)).size).toBe(1);
    expect(await ticketCount()).toBe(before + 1);
  });

  it('takes the submission id from the Idempotency-Key header', async () => {
    const first = await (await w.submitJson(valid(), { 'idempotency-key': 'header-key-000001' })).json();
    const again = await (await w.submitJson(valid(), { 'idempotency-key': 'header-key-000001' })).json();
    expect(again).toEqual(first);
    expect(first.submissionId).toBe('header-key-000001');
  });

  it('answers 400 with one error per field, in English or Indonesian', async () => {
    const before = await ticketCount();
    const bad = { name: '', email: 'not-an-address', subject: 'x'.repeat(201), category: 'weather', custom_order: 'y'.repeat(21), formToken: w.formToken() };
    const en = await w.submitJson(bad);
    expect(en.status).toBe(400);
    const body = await en.json();
    expect(body.error).toBe('validation_failed');
    expect(Object.fromEntries(Object.entries(body.fields).map(([k, v]) => [k, (v as { code: string }).code]))).toEqual({
      name: 'required', email: 'invalid_email', subject: 'too_long', message: 'required', category: 'invalid_choice', custom_order: 'too_long',
    });
    expect(body.fields.name.message).toBe('This field is required.');
    const id = await (await w.submitJson(bad, { 'accept-language': 'id-ID,id;q=0.9,en;q=0.5' })).json();
    expect(id.fields.name.message).toBe('Kolom ini wajib diisi.');
    expect(id.fields.subject.message).toBe('Terlalu panjang (maksimal 200 karakter).');
    const lang = await (await w.submitJson({ ...bad, lang: 'id' })).json();
    expect(lang.fields.email.message).toBe('Masukkan alamat email seperti nama@contoh.com.');
    expect(await ticketCount()).toBe(before);
  });

  it('refuses operator injection in any field with 400, storing nothing', async () => {
    const before = await ticketCount();
    for (const field of ['name', 'email', 'subject', 'message', 'category', 'custom_order']) {
      const res = await w.submitJson(valid({ [field]: { $gt: '' } }));
      expect(res.status, field).toBe(400);
      expect((await res.json()).fields[field].code).toBe('not_text');
    }
    const id = await w.submitJson(valid({ submissionId: { $ne: null } }));
    expect(id.status).toBe(400);
    expect((await id.json()).error).toBe('invalid_submission_id');
    expect(await ticketCount()).toBe(before);
  });

  it('turns away a filled honeypot, a form sent too fast, an expired or forged form token', async () => {
    const before = await ticketCount();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ website: 'http://spam.example' }, 'spam_suspected'],
      [{ formToken: w.formToken(100) }, 'too_fast'],
      [{ formToken: w.formToken(25 * 60 * 60 * 1000) }, 'form_expired'],
      [{ formToken: `${w.formToken().slice(0, -4)}AAAA` }, 'form_token_invalid'],
      [{ formToken: undefined }, 'form_token_invalid'],
    ];
    for (const [extra, code] of cases) {
      const res = await w.submitJson(valid(extra));
      expect(res.status, code).toBe(400);
      expect((await res.json()).error).toBe(code);
    }
    expect(await ticketCount()).toBe(before);
    const metrics = await (await fetch(`${w.base}/metrics`)).text();
    expect(metrics).toMatch(/helpdesk_submissions_rejected_total\{channel="webform",reason="spam_suspected"\} 1/);
    expect(metrics).toMatch(/reason="too_fast"\} 1/);
  });

  it('logs each rejection with its code, never with what the customer wrote', async () => {
    const secret = 'My account number is 4111-1111';
    await w.submitJson(valid({ message: secret, website: 'x' }));
    await w.submitJson(valid({ message: secret, email: 'nope' }));
    const rejected = logs.filter((l) => l.includes('submission rejected')).map((l) => JSON.parse(l));
    expect(rejected.some((l) => l.code === 'spam_suspected' && l.ip)).toBe(true);
    expect(rejected.some((l) => l.code === 'validation_failed' && l.fields.includes('email'))).toBe(true);
    expect(logs.join('\n')).not.toContain('4111-1111');
  });

  it('accepts multipart with an attachment, stored with the message', async () => {
    const form = new FormData();
    for (const [k, v] of Object.entries(valid({ submissionId: 'multipart-ok-0001' }))) form.append(k, String(v));
    form.append('attachments', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'screenshot.png');
    const res = await fetch(`${w.base}/api/v1/forms/submit`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    const { ticketNumber } = await res.json();
    const ticket = await (await w.api(`/api/v1/tickets/${ticketNumber}`)).json();
    expect(ticket.messages[0].attachments).toEqual([expect.objectContaining({ filename: 'screenshot.png', contentType: 'image/png', size: PNG.length })]);
    const download = await w.api(new URL(ticket.messages[0].attachments[0].url).pathname);
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('refuses too many files and too large files with 413, a wrong type with 415, and stores none of them', async () => {
    const before = { tickets: await ticketCount(), blobs: await blobCount() };
    const send = async (files: Array<[Buffer, string, string]>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(valid())) form.append(k, String(v));
      for (const [data, type, name] of files) form.append('attachments', new Blob([new Uint8Array(data)], { type }), name);
      const res = await fetch(`${w.base}/api/v1/forms/submit`, { method: 'POST', body: form });
      return { status: res.status, body: await res.json() };
    };
    const many = await send([[Buffer.from('a'), 'text/plain', 'a.txt'], [Buffer.from('b'), 'text/plain', 'b.txt'], [Buffer.from('c'), 'text/plain', 'c.txt']]);
    expect(many).toEqual({ status: 413, body: { error: 'too_many_files', message: 'At most 2 files can be attached.' } });
    const big = await send([[Buffer.alloc(5000, 1), 'text/plain', 'big.txt']]);
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('file_too_large');
    const exe = await send([[Buffer.from('MZ...'), 'application/x-msdownload', 'tool.exe']]);
    expect(exe.status).toBe(415);
    expect(exe.body.message).toContain('image/png, text/plain');
    const disguised = await send([[Buffer.from('MZ not a png at all'), 'image/png', 'fake.png']]);
    expect(disguised.status).toBe(415);
    const xml = await fetch(`${w.base}/api/v1/forms/submit`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    expect({ tickets: await ticketCount(), blobs: await blobCount() }).toEqual(before);
  });

  it('hands out a fresh form token and submission id for API clients', async () => {
    const res = await fetch(`${w.base}/api/v1/forms/token`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.formToken).toMatch(/\./);
    expect(body.submissionId).toMatch(/^[0-9a-f-]{36}$/);
    // Straight away it is too fast: the minimum fill time applies to API clients too.
    expect((await w.submitJson(valid({ formToken: body.formToken }))).status).toBe(400);
  });
});
