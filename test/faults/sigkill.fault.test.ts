/**
 * SIGKILL at random moments under email load: mail arrives through Dovecot (consumed by IMAP) and
 * through the gateway's own LMTP listener while the gateway process is killed and restarted over
 * and over. Senders keep what they were not told was accepted and offer it again, as MTAs do.
 * At the end every accepted mail is in exactly one ticket and its acknowledgement reached the SMTP
 * peer once (a second copy with the same Message-ID only inside SMTP's window, counted apart).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dovecotAvailable } from '../support/dovecot.ts';
import { skipUnless } from '../support/skip.ts';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { checkDelivery, waitForQuiet } from './support/delivery-check.ts';
import { startFaultBed, type FaultBed } from './support/fault-bed.ts';
import { dovecotMailSource, lmtpMailSource } from './support/load-source.ts';
import { LoadRunner } from './support/load-runner.ts';
import { seededRng } from './support/rng.ts';
import { writeRows } from './support/summary.ts';

const KILLS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'sigkill.fault'))('SIGKILL under email load', () => {
  let bed: FaultBed;
  beforeAll(async () => { bed = await startFaultBed('killdesk'); });
  afterAll(() => bed?.dispose());

  // Twenty cold starts of the gateway dominate the time; a loaded machine needs more than the default.
  it(`loses and duplicates nothing across ${KILLS} kills`, { timeout: 8 * 60_000 }, async () => {
    const began = Date.now();
    const rng = seededRng('sigkill');
    const ports = { LMTP_PORT: String(await freePort()), PORT: String(await freePort()) };
    const load = new LoadRunner([
      dovecotMailSource('kill', bed.dovecot, bed.user),
      lmtpMailSource('kill', () => Number(ports.LMTP_PORT)),
    ], { perSource: 25, gapMs: 1_800 });
    load.start();

    const kills: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      // One kill in four lands during start-up (connecting, creating indexes, taking the mailbox
      // lease); the others anywhere from the first accepted connection to well into ingesting.
      const early = rng.next() < 0.25;
      const gateway = await bed.startGateway(ports, { waitForHttp: !early });
      const upAfter = Date.now() - gateway.startedAt;
      const wait = early ? rng.int(500, 4_000) : rng.int(100, 2_500);
      await sleep(wait);
      gateway.process.child.kill('SIGKILL');
      kills.push(Date.now());
      process.stdout.write(`[faults] sigkill ${k + 1}/${KILLS}: ${early ? `${wait} ms after spawn` : `up in ${upAfter} ms, killed ${wait} ms later`}, ${load.accepted.size} accepted so far\n`);
      const { signal } = await gateway.process.exited;
      expect(signal, `gateway ${k + 1} should have been killed, not have died by itself:\n${gateway.process.output()}`).toBe('SIGKILL');
    }

    const last = await bed.startGateway(ports);
    await load.offered();
    await load.settle(120_000);
    await waitForQuiet(bed.conn.db!, load.accepted, bed.sinkMessages, 180_000);
    expect(last.process.child.exitCode, last.process.output()).toBeNull();
    const verdict = await checkDelivery(bed.conn.db!, load.accepted, bed.sinkMessages(), kills);
    writeRows(inject('faultSummaryDir'), {
      fault: 'gateway SIGKILL (IMAP + LMTP load)', injected: kills.length, seed: rng.seed, seconds: Math.round((Date.now() - began) / 1000),
    }, verdict, load.answers);
    expect(load.rejected()).toEqual([]);
    expect(verdict.problems).toEqual([]);
    expect(verdict.accepted).toBe(50);
    expect(verdict.redelivered).toBeLessThanOrEqual(kills.length);
  });
});
