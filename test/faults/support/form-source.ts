/**
 * Web form load as an API client sends it: a form token from GET /api/v1/forms/token, then POST
 * /api/v1/forms/submit with an Idempotency-Key. A 201 is accepted; a 503 (or 429) or a broken
 * connection is retried with the same key and token, so a submit whose answer was lost to a crash
 * must come back as the same ticket, never a second one.
 */
import type { LoadItem, LoadSource, Offer } from './load-source.ts';

export function formSource(run: string, base: () => string): LoadSource {
  const tokens = new Map<string, string>();

  async function tokenFor(key: string): Promise<string> {
    const held = tokens.get(key);
    if (held) return held;
    const res = await fetch(`${base()}/api/v1/forms/token`, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`form token: ${res.status}`);
    const { formToken } = await res.json() as { formToken: string };
    tokens.set(key, formToken);
    return formToken;
  }

  return {
    name: 'webform/api', channel: 'webform',
    item: (seq: number): LoadItem => ({ seq, key: `${run}-form-${seq}` }),
    async offer(item): Promise<Offer> {
      try {
        const formToken = await tokenFor(item.key);
        const res = await fetch(`${base()}/api/v1/forms/submit`, {
          method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': item.key },
          body: JSON.stringify({
            name: `Submitter ${item.seq}`, email: `form-${run}-${item.seq}@example.org`, subject: `Form ${run} ${item.seq}`,
            message: `Submission ${item.seq} of the ${run} fault run.`, formToken,
          }),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await res.text();
        if (res.status === 201) return { status: 'accepted', externalId: `submit:${item.key}` };
        const detail = `${res.status} retry-after=${res.headers.get('retry-after') ?? '-'} ${text.slice(0, 200)}`;
        return { status: res.status === 503 || res.status === 429 ? 'retry' : 'rejected', detail };
      } catch (err) {
        return { status: 'retry', detail: `${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`.trim() };
      }
    },
  };
}
