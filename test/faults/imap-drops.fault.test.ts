/**
 * The IMAP connection is dropped again and again (`doveadm kick`) and the mailbox's UIDVALIDITY
 * changes under load (which makes the consumer rescan the whole mailbox). Nothing is lost, and the
 * rescans produce no second ticket and no second acknowledgement. No process dies here, so any
 * second copy at the SMTP peer fails the run.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dovecotAvailable } from '../support/dovecot.ts';
import { skipUnless } from '../support/skip.ts';
import { checkDelivery, waitForQuiet } from './support/delivery-check.ts';
import { startFaultBed, waitReady, type FaultBed } from './support/fault-bed.ts';
import { dovecotMailSource } from './support/load-source.ts';
import { LoadRunner } from './support/load-runner.ts';
import { seededRng } from './support/rng.ts';
import { writeRows } from './support/summary.ts';

const MAILS = 30;
const DROPS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'imap-drops.fault'))('IMAP drops and UIDVALIDITY changes', () => {
  let bed: FaultBed;
  beforeAll(async () => { bed = await startFaultBed('kickdesk'); });
  afterAll(() => bed?.dispose());

  it('takes every mail once through kicks and UIDVALIDITY changes', async () => {
    const began = Date.now();
    const rng = seededRng('imap-drops');
    const gateway = await bed.startGateway();
    await waitReady(gateway);
    const load = new LoadRunner([dovecotMailSource('kick', bed.dovecot, bed.user)], { perSource: MAILS, gapMs: 600 });
    load.start();
    let kicks = 0;
    let uidValidity = Math.floor(Date.now() / 1000);
    for (let i = 1; i <= DROPS; i++) {
      await sleep(rng.int(400, 1_800));
      // Every fourth fault renumbers the mailbox instead of dropping the connection.
      if (i % 4 === 0) await bed.dovecot.setUidValidity(bed.user, 'INBOX', ++uidValidity);
      else if (await bed.dovecot.kick(bed.user)) kicks++;
    }
    await load.offered();
    await waitForQuiet(bed.conn.db!, load.accepted, bed.sinkMessages, 180_000);
    expect(gateway.process.child.exitCode, gateway.process.output()).toBeNull();
    const verdict = await checkDelivery(bed.conn.db!, load.accepted, bed.sinkMessages(), []);
    const uidChanges = DROPS / 4;
    writeRows(inject('faultSummaryDir'), {
      fault: `IMAP kicks (${kicks}) and UIDVALIDITY changes (${uidChanges})`, injected: kicks + uidChanges,
      seed: rng.seed, seconds: Math.round((Date.now() - began) / 1000),
    }, verdict, load.answers);
    expect(verdict.problems).toEqual([]);
    expect(verdict.accepted).toBe(MAILS);
    expect(kicks).toBeGreaterThan(DROPS / 2); // the consumer was connected to be kicked most of the time
  });
});
