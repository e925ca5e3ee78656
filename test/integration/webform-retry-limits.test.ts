/**
 * A client's retry (same Idempotency-Key, same content) of a submission we accepted is not a new
 * submission: it gets the same 201 and spends neither the per-IP nor the per-address limit, even
 * when the window is used up meanwhile. A new submission, or other content under a used key, is
 * limited as before. Real gateway and database; the limits count in the process's memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebformGateway, type WebformGateway } from '../support/webform-gateway.ts';

describe('web form retries and the rate limits', () => {
  let w: WebformGateway;

  beforeAll(async () => {
    w = await startWebformGateway('webform-retry', {
      rateLimit: { perIpLimit: 7, perIpWindowSec: 600, perAddressLimit: 2, perAddressWindowSec: 600, keyPrefix: `retry-${Date.now()}` },
    });
  });
  afterAll(async () => { await w?.stop(); });

  const form = (email: string, message: string) => ({ name: 'Wulan', email, subject: 'Refund', message, formToken: w.formToken() });
  async function submit(body: Record<string, unknown>, key?: string) {
    const res = await w.submitJson(body, key ? { 'idempotency-key': key } : {});
    return { status: res.status, body: await res.json() as { ticketNumber?: number; error?: string } };
  }
  const ticketCount = async () => (await w.gateway.repos.tickets.list({ limit: 100 })).length;

  it('gives a double click\'s second request its points back', async () => {
    const before = await ticketCount();
    const body = form('intan@example.org', 'Double click.');
    const answers = await Promise.all([submit(body, 'double-key-0001'), submit(body, 'double-key-0001')]);
    expect(answers.map((x) => x.status)).toEqual([201, 201]);
    expect(answers[1]).toEqual(answers[0]);
    // The address's limit is 2: one submission spent one point, so one more new one is accepted.
    expect((await submit(form('intan@example.org', 'A second question.'), 'double-key-0002')).status).toBe(201);
    expect(await ticketCount()).toBe(before + 2);
  });

  it('answers retries with the same ticket without spending the limits, also once a window is used up', async () => {
    // Address limit 2; IP limit 7, of which the double click above spent 2.
    const a = await submit(form('wulan@example.org', 'Please refund order 1.'), 'retry-key-aaaa');
    expect(a.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      // Before the fix the second retry was refused: each retry spent the address's limit.
      expect(await submit(form('wulan@example.org', 'Please refund order 1.'), 'retry-key-aaaa')).toEqual(a);
    }
    const b = await submit(form('wulan@example.org', 'Please refund order 2.'), 'retry-key-bbbb');
    expect(b.status).toBe(201);
    expect(b.body.ticketNumber).not.toBe(a.body.ticketNumber);

    // The address's window is used up: a new submission is refused, a retry of an accepted one is answered.
    expect(await submit(form('wulan@example.org', 'Please refund order 3.'), 'retry-key-cccc')).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(await submit(form('wulan@example.org', 'Please refund order 2.'), 'retry-key-bbbb')).toEqual(b);
    // Other content under an accepted key is a new submission, and limited as one.
    expect(await submit(form('wulan@example.org', 'Something else entirely.'), 'retry-key-bbbb')).toMatchObject({ status: 429 });

    // Use up the IP's window (7: the 2 above, a, b, the refused c, the refused other content, d).
    const d = await submit(form('yoga@example.org', 'Please refund order 4.'), 'retry-key-dddd');
    expect(d.status).toBe(201);
    expect(await submit(form('zaki@example.org', 'Please refund order 5.'), 'retry-key-eeee')).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    // Past the IP limit, only a retry of an accepted submission gets through, with its first answer.
    expect(await submit(form('wulan@example.org', 'Please refund order 1.'), 'retry-key-aaaa')).toEqual(a);
    expect(await submit(form('wulan@example.org', 'Changed my mind.'), 'retry-key-aaaa')).toMatchObject({ status: 429 });
    expect(await submit(form('yoga@example.org', 'Please refund order 4.'), 'retry-key-zzzz')).toMatchObject({ status: 429 });

    expect(await ticketCount()).toBe(5);
  });

});
