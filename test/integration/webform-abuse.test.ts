/**
 * Limits that span gateway processes (two gateways counting in one Redis), per IP and per address,
 * and the setting that holds the acknowledgement until the address owner opened a verification
 * link, so the form cannot be used to mail strangers.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { startWebformGateway, statusLinkIn, type WebformGateway } from '../support/webform-gateway.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

async function redisUp(): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const form = (w: WebformGateway, email: string, n: number) => ({
  name: 'Rina', email, subject: `Question ${n}`, message: 'Hello', formToken: w.formToken(), submissionId: `abuse-${email.split('@')[0]}-${n}-000`,
});

describe.skipIf(skipUnless(await redisUp(), 'Redis on 127.0.0.1:6379', 'webform-abuse'))('web form rate limits across processes (Redis)', () => {
  let a: WebformGateway;
  let b: WebformGateway;
  const prefix = `test:webform-abuse:${Date.now()}`;

  beforeAll(async () => {
    const webform = { rateLimit: { perIpLimit: 5, perIpWindowSec: 600, perAddressLimit: 2, perAddressWindowSec: 600, keyPrefix: prefix } };
    a = await startWebformGateway('webform-abuse-a', webform, { redisUrl: REDIS_URL, metrics: { enabled: true } });
    b = await startWebformGateway('webform-abuse-b', webform, { redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('counts one address across both processes, then one IP across both, answering 429 with Retry-After', async () => {
    expect((await a.submitJson(form(a, 'x@example.org', 1))).status).toBe(201);
    expect((await b.submitJson(form(b, 'x@example.org', 2))).status).toBe(201);
    const byAddress = await a.submitJson(form(a, 'x@example.org', 3));
    expect(byAddress.status).toBe(429);
    expect(Number(byAddress.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await byAddress.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/Too many messages/) });

    expect((await b.submitJson(form(b, 'y@example.org', 4))).status).toBe(201);
    expect((await a.submitJson(form(a, 'y@example.org', 5))).status).toBe(201);
    const byIp = await b.submitJson(form(b, 'z@example.org', 6), { 'accept-language': 'id' });
    expect(byIp.status).toBe(429);
    expect((await byIp.json()).message).toMatch(/Terlalu banyak pesan/);

    // Nothing was filed for the refused submissions, and the refusals are counted.
    const subjects = [...await a.gateway.repos.tickets.list({ limit: 10 }), ...await b.gateway.repos.tickets.list({ limit: 10 })].map((t) => t.subject).sort();
    expect(subjects).toEqual(['Question 1', 'Question 2', 'Question 4', 'Question 5']);
    expect(await (await fetch(`${a.base}/metrics`)).text()).toMatch(/helpdesk_submissions_rejected_total\{channel="webform",reason="rate_limited"\} 1/);
  });
});

describe('web form holding the acknowledgement until the address is verified', () => {
  let w: WebformGateway;
  beforeAll(async () => { w = await startWebformGateway('webform-verify', { verifyAddress: true }); });
  afterAll(async () => { await w?.stop(); });

  it('mails a verification link first, and the acknowledgement with the status link only after it was opened', async () => {
    const res = await w.submitJson({ ...form(w, 'stranger@example.org', 1), lang: 'id' });
    expect(res.status).toBe(201);
    const { ticketNumber } = await res.json();
    const [verify] = await w.sink.waitFor(1);
    expect(verify!.envelope.to).toEqual(['stranger@example.org']);
    expect(verify!.parsed.subject).toContain('Mohon konfirmasi alamat email Anda');
    expect(verify!.parsed.text).not.toContain('/support/t/');
    const link = /https?:\/\/\S+\/support\/verify\/\S+/.exec(verify!.parsed.text ?? '')![0];
    // Nothing else goes out while the address is unconfirmed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.sink.messages).toHaveLength(1);

    const page = await fetch(`${w.base}${new URL(link).pathname}`, { headers: { 'accept-language': 'id' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`#${ticketNumber}`);
    await w.sink.waitFor(2);
    const ack = w.sink.messages[1]!;
    expect(ack.parsed.subject).toContain(`[#${ticketNumber}]`);
    expect(statusLinkIn(ack.parsed.text)).toContain('/support/t/');
    // A second click sends nothing more.
    await fetch(`${w.base}${new URL(link).pathname}`);
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.sink.messages).toHaveLength(2);
    await waitUntil(async () => (await w.gateway.repos.outbox.listByTicket((await w.gateway.repos.tickets.byNumber(ticketNumber))!.id)).every((e) => e.status === 'sent'), 'both mails sent');
  });

  it('refuses a status link posing as a verification link', async () => {
    const res = await fetch(`${w.base}/support/verify/tk_0123456789abcdef01234567.zzzzzz.1.${'A'.repeat(32)}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('This link does not work');
  });
});
