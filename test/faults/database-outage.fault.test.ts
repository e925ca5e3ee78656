/**
 * The database goes away for 30 seconds under load (its process SIGKILLed, then started again on
 * the same port and data). Meanwhile every sender is told to retry (LMTP 451, pipe exit 75, the
 * form's 503 with Retry-After, chat's `unavailable` error ack), none is told its message was
 * accepted, the gateway keeps running, and once the database is back it takes up everything
 * waiting by itself, with no restart, losing and duplicating nothing.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dovecotAvailable } from '../support/dovecot.ts';
import { skipUnless } from '../support/skip.ts';
import { chatSource } from './support/chat-source.ts';
import { checkDelivery, waitForQuiet } from './support/delivery-check.ts';
import { startFaultBed, waitReady, type FaultBed } from './support/fault-bed.ts';
import { formSource } from './support/form-source.ts';
import { dovecotMailSource, lmtpMailSource, pipeMailSource } from './support/load-source.ts';
import { LoadRunner } from './support/load-runner.ts';
import { writeRows } from './support/summary.ts';

const OUTAGE_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'database-outage.fault'))('database outage under load', () => {
  let bed: FaultBed;
  beforeAll(async () => { bed = await startFaultBed('dbdesk'); });
  afterAll(() => bed?.dispose());

  it('answers retry-later while the database is away and recovers without a restart', async () => {
    const began = Date.now();
    const gateway = await bed.startGateway();
    await waitReady(gateway);
    const mail = new LoadRunner([
      dovecotMailSource('db', bed.dovecot, bed.user),
      lmtpMailSource('db', () => gateway.lmtpPort),
    ], { perSource: 15, gapMs: 1_500, retryAfterMs: 2_000 });
    // The pipe starts a process per mail (seconds each): two, the first as the database goes away.
    const pipe = new LoadRunner([pipeMailSource('db', () => bed.env())], { perSource: 2, gapMs: 2_000, retryAfterMs: 3_000 });
    const base = () => `http://127.0.0.1:${gateway.httpPort}`;
    const live = new LoadRunner([chatSource('db', base), formSource('db', base)], { perSource: 15, gapMs: 1_500, retryAfterMs: 2_000 });
    mail.start();
    live.start();
    await sleep(5_000);

    const downAt = Date.now();
    await bed.db.kill();
    pipe.start();
    await sleep(OUTAGE_MS);
    const upAt = Date.now();
    await bed.db.restart();

    await Promise.all([mail.offered(), pipe.offered(), live.offered()]);
    await Promise.all([mail.settle(120_000), pipe.settle(120_000), live.settle(120_000)]);
    live.close();
    const accepted = new Map([...mail.accepted, ...pipe.accepted, ...live.accepted]);
    await waitForQuiet(bed.conn.db!, accepted, bed.sinkMessages, 180_000);
    expect(gateway.process.child.exitCode, `the gateway must ride out the outage:\n${gateway.process.output()}`).toBeNull();
    expect(gateway.process.child.signalCode).toBeNull();

    // While the database was away (LMTP: after a second, for sessions already past their last write).
    const lmtp = mail.between(downAt + 1_000, upAt).filter((a) => a.source === 'email/lmtp');
    const piped = pipe.between(downAt, upAt);
    expect(lmtp.filter((a) => a.status === 'accepted')).toEqual([]);
    expect(lmtp.length).toBeGreaterThan(0);
    for (const a of lmtp) expect(a.detail).toMatch(/^4\d\d /); // answered by the gateway, not a broken connection
    expect(piped.length).toBeGreaterThan(0);
    for (const a of piped) expect(a).toMatchObject({ status: 'retry', detail: expect.stringMatching(/^exit 75:/) });
    // The form and the chat answer in time, and say "later": 503 with Retry-After, error ack `unavailable`.
    const form = live.between(downAt + 1_000, upAt).filter((a) => a.channel === 'webform');
    const chat = live.between(downAt + 1_000, upAt).filter((a) => a.channel === 'chat');
    expect(form.length).toBeGreaterThan(0);
    for (const a of form) expect(a).toMatchObject({ status: 'retry', detail: expect.stringMatching(/^503 retry-after=\d+ /) });
    expect(chat.length).toBeGreaterThan(0);
    for (const a of chat) expect(a).toMatchObject({ status: 'retry', detail: 'ack unavailable' });

    const verdict = await checkDelivery(bed.conn.db!, accepted, bed.sinkMessages(), [[downAt, upAt]]);
    writeRows(inject('faultSummaryDir'), {
      fault: `database down ${OUTAGE_MS / 1000} s`, injected: 1, seconds: Math.round((Date.now() - began) / 1000),
    }, verdict, [...mail.answers, ...pipe.answers, ...live.answers]);
    expect([...mail.rejected(), ...pipe.rejected(), ...live.rejected()]).toEqual([]);
    expect(verdict.problems).toEqual([]);
    expect(Object.fromEntries(Object.entries(verdict.byChannel).map(([c, t]) => [c, t.accepted]))).toEqual({ email: 32, chat: 15, webform: 15 });
  });
});
