/**
 * Readiness reports the SMTP server from cached state: a burst of probes opens no SMTP session of
 * its own, a background check runs at most once per interval, and a failure shows up as down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSender } from '../../channels/email/transport/smtp.sender.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { waitUntil } from '../support/skip.ts';
import { freePort } from '../../src/infra/db/tcp-ports.ts';

describe('SMTP health behind /readyz', () => {
  let sink: SmtpSink;
  beforeAll(async () => { sink = await startSmtpSink(); });
  afterAll(() => sink.stop());

  it('checks the server at most once per interval, however often readiness is asked', async () => {
    const sender = new SmtpSender({ host: sink.host, port: sink.port, tls: false, user: 'u', password: 'p', verifyIntervalMs: 60_000 });
    const before = sink.connections();
    expect(sender.health()).toEqual({ ok: false, detail: 'smtp not checked yet' }); // starts the first check
    const ok = await waitUntil(() => sender.health().ok, 'the first check');
    expect(ok).toBe(true);
    for (let i = 0; i < 50; i++) sender.health();
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.connections() - before).toBe(1);
    sender.close();
  });

  it('checks again once the interval has passed, and reports a server that went away', async () => {
    const port = await freePort();
    const sender = new SmtpSender({ host: '127.0.0.1', port, tls: false, verifyIntervalMs: 200 });
    await sender.check();
    expect(sender.health()).toMatchObject({ ok: false, detail: expect.stringContaining('smtp:') });
    const other = new SmtpSender({ host: sink.host, port: sink.port, tls: false, verifyIntervalMs: 200 });
    const before = sink.connections();
    await other.check();
    await new Promise((r) => setTimeout(r, 250));
    other.health(); // stale: one more background check
    await waitUntil(() => sink.connections() - before === 2, 'a second check after the interval');
    sender.close();
    other.close();
  });
});
