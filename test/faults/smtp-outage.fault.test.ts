/**
 * The SMTP peer goes away for a while: mail keeps coming in and becomes tickets, every
 * acknowledgement waits in the outbox (neither sent nor given up), and when the peer returns on
 * the same port each is delivered exactly once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dovecotAvailable } from '../support/dovecot.ts';
import { skipUnless, waitUntil } from '../support/skip.ts';
import { checkDelivery, waitForQuiet } from './support/delivery-check.ts';
import { startFaultBed, waitReady, type FaultBed } from './support/fault-bed.ts';
import { dovecotMailSource } from './support/load-source.ts';
import { LoadRunner } from './support/load-runner.ts';
import { writeRow } from './support/summary.ts';

const MAILS = 12;
const OUTAGE_MS = 15_000;

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'smtp-outage.fault'))('SMTP peer outage', () => {
  let bed: FaultBed;
  beforeAll(async () => { bed = await startFaultBed('smtpdesk'); });
  afterAll(() => bed?.dispose());

  it('keeps outbound mail in the outbox and delivers it once when the peer returns', async () => {
    const began = Date.now();
    const gateway = await bed.startGateway();
    await waitReady(gateway);
    await bed.stopSink();
    const downAt = Date.now();
    const load = new LoadRunner([dovecotMailSource('smtp', bed.dovecot, bed.user)], { perSource: MAILS, gapMs: 300 });
    load.start();
    await load.offered();
    const outbox = bed.conn.db!.collection('outbox');
    await waitUntil(async () => (await outbox.countDocuments({ kind: 'ack' })) === MAILS, `${MAILS} acknowledgements queued`, 120_000, 500);
    const left = OUTAGE_MS - (Date.now() - downAt);
    if (left > 0) await new Promise((r) => setTimeout(r, left));

    // Still waiting: tried (and failed) at least once, neither sent nor given up.
    const entries = await outbox.find({ kind: 'ack' }).toArray();
    expect(entries.map((e) => e.status).filter((s) => s !== 'pending' && s !== 'sending')).toEqual([]);
    expect(entries.some((e) => e.attempts > 0)).toBe(true);
    expect(bed.sinkMessages()).toEqual([]);

    await bed.startSink();
    await waitForQuiet(bed.conn.db!, load.accepted, bed.sinkMessages, 120_000);
    const verdict = await checkDelivery(bed.conn.db!, load.accepted, bed.sinkMessages(), []);
    writeRow(inject('faultSummaryDir'), {
      fault: `SMTP peer down ${OUTAGE_MS / 1000} s`, channel: 'email', injected: 1, ...verdict,
      retries: entries.reduce((n, e) => n + (e.attempts as number), 0), seconds: Math.round((Date.now() - began) / 1000),
    });
    expect(verdict.problems).toEqual([]);
    expect(verdict.accepted).toBe(MAILS);
    expect(verdict.redelivered).toBe(0);
  });
});
