/**
 * Two gateway processes on one mailbox and one database: both take LMTP mail, only the holder of
 * the mailbox lease consumes IMAP, and both dispatch the one shared outbox. Each mail is ingested
 * once and each acknowledgement sent once; no process dies, so any second copy fails the run.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dovecotAvailable } from '../support/dovecot.ts';
import { skipUnless } from '../support/skip.ts';
import { checkDelivery, waitForQuiet } from './support/delivery-check.ts';
import { startFaultBed, type FaultBed } from './support/fault-bed.ts';
import { dovecotMailSource, lmtpMailSource } from './support/load-source.ts';
import { LoadRunner } from './support/load-runner.ts';
import { writeRows } from './support/summary.ts';

const PER_SOURCE = 15;

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'two-gateways.fault'))('two gateways on one mailbox and outbox', () => {
  let bed: FaultBed;
  beforeAll(async () => { bed = await startFaultBed('twodesk'); });
  afterAll(() => bed?.dispose());

  it('ingests each mail once and sends each acknowledgement once', async () => {
    const began = Date.now();
    const [a, b] = await Promise.all([bed.startGateway(), bed.startGateway()]);
    const load = new LoadRunner([
      dovecotMailSource('two', bed.dovecot, bed.user),
      lmtpMailSource('two', () => a!.lmtpPort, 'email/lmtp-a'),
      lmtpMailSource('two', () => b!.lmtpPort, 'email/lmtp-b'),
    ], { perSource: PER_SOURCE, gapMs: 700 });
    load.start();
    await load.offered();
    await load.settle(120_000);
    await waitForQuiet(bed.conn.db!, load.accepted, bed.sinkMessages, 120_000);
    for (const g of [a!, b!]) expect(g.process.child.exitCode, g.process.output()).toBeNull();
    const verdict = await checkDelivery(bed.conn.db!, load.accepted, bed.sinkMessages(), []);
    writeRows(inject('faultSummaryDir'), {
      fault: 'two gateways, one mailbox and outbox', injected: 1, seconds: Math.round((Date.now() - began) / 1000),
    }, verdict, load.answers);
    expect(load.rejected()).toEqual([]);
    expect(verdict.problems).toEqual([]);
    expect(verdict.accepted).toBe(3 * PER_SOURCE);
    expect(verdict.redelivered).toBe(0);
  });
});
