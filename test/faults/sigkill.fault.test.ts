/**
 * SIGKILL at random moments under load on every channel at once: mail arrives through Dovecot
 * (consumed by IMAP) and through the gateway's own LMTP listener, chat visitors send over their
 * sockets and API clients submit the web form, while the gateway process is killed and restarted
 * over and over. Senders keep what they were not told was accepted and offer it again, as MTAs do;
 * a chat client resends an unacked message under the same clientId after reconnecting, a form client
 * that got no answer resubmits with the same Idempotency-Key. At the end every accepted mail and
 * form submission is in exactly one ticket, every acked chat message once in its conversation's
 * ticket, and each ticket's acknowledgement reached the SMTP peer once (a second copy with the same
 * Message-ID only inside SMTP's window, counted apart).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dovecotAvailable } from '../support/dovecot.ts';
import { skipUnless } from '../support/skip.ts';
import { freePort } from '../../src/infra/db/tcp-ports.ts';
import { chatSource } from './support/chat-source.ts';
import { checkDelivery, waitForQuiet } from './support/delivery-check.ts';
import { startFaultBed, type FaultBed } from './support/fault-bed.ts';
import { formSource } from './support/form-source.ts';
import { dovecotMailSource, lmtpMailSource } from './support/load-source.ts';
import { LoadRunner } from './support/load-runner.ts';
import { seededRng } from './support/rng.ts';
import { writeRows } from './support/summary.ts';

const KILLS = 20;
const MAILS_PER_SOURCE = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipUnless(dovecotAvailable(), 'Dovecot', 'sigkill.fault'))('SIGKILL under email, chat and web form load', () => {
  let bed: FaultBed;
  beforeAll(async () => { bed = await startFaultBed('killdesk'); });
  afterAll(() => bed?.dispose());

  // Twenty cold starts of the gateway dominate the time; a loaded machine needs more than the default.
  it(`loses and duplicates nothing across ${KILLS} kills`, { timeout: 10 * 60_000 }, async () => {
    const began = Date.now();
    const rng = seededRng('sigkill');
    const ports = { LMTP_PORT: String(await freePort()), PORT: String(await freePort()) };
    const mail = new LoadRunner([
      dovecotMailSource('kill', bed.dovecot, bed.user),
      lmtpMailSource('kill', () => Number(ports.LMTP_PORT)),
    ], { perSource: MAILS_PER_SOURCE, gapMs: 1_800 });
    // Chat and form senders keep going until the last kill (then stop offering new items), so every
    // kill lands under their load however fast or slow the machine restarts the gateway.
    const base = () => `http://127.0.0.1:${ports.PORT}`;
    const live = new LoadRunner([chatSource('kill', base), formSource('kill', base)], { perSource: 10_000, gapMs: 1_000, retryAfterMs: 1_000 });
    mail.start();
    live.start();

    const kills: number[] = [];
    const midRequest = { chat: 0, webform: 0 };
    for (let k = 0; k < KILLS; k++) {
      // One kill in four lands during start-up (connecting, creating indexes, taking the mailbox
      // lease); the others anywhere from the first accepted connection to well into ingesting.
      const early = rng.next() < 0.25;
      const gateway = await bed.startGateway(ports, { waitForHttp: !early });
      const upAfter = Date.now() - gateway.startedAt;
      const wait = early ? rng.int(500, 4_000) : rng.int(100, 2_500);
      await sleep(wait);
      const inFlight = { chat: live.inFlight('chat'), webform: live.inFlight('webform') };
      gateway.process.child.kill('SIGKILL');
      kills.push(Date.now());
      if (inFlight.chat) midRequest.chat++;
      if (inFlight.webform) midRequest.webform++;
      const accepted = (channel: string) => [...live.accepted.values()].filter((a) => a.channel === channel).length;
      process.stdout.write(`[faults] sigkill ${k + 1}/${KILLS}: ${early ? `${wait} ms after spawn` : `up in ${upAfter} ms, killed ${wait} ms later`}; `
        + `accepted so far: ${mail.accepted.size} mails, ${accepted('chat')} chat, ${accepted('webform')} form`
        + `${inFlight.chat || inFlight.webform ? ` (killed with ${inFlight.chat} chat and ${inFlight.webform} form request(s) unanswered)` : ''}\n`);
      const { signal } = await gateway.process.exited;
      expect(signal, `gateway ${k + 1} should have been killed, not have died by itself:\n${gateway.process.output()}`).toBe('SIGKILL');
    }

    const last = await bed.startGateway(ports);
    await live.stop();
    await mail.offered();
    await Promise.all([mail.settle(120_000), live.settle(120_000)]);
    live.close();
    const accepted = new Map([...mail.accepted, ...live.accepted]);
    await waitForQuiet(bed.conn.db!, accepted, bed.sinkMessages, 180_000);
    expect(last.process.child.exitCode, last.process.output()).toBeNull();
    const verdict = await checkDelivery(bed.conn.db!, accepted, bed.sinkMessages(), kills);
    process.stdout.write(`[faults] sigkill: kills with a request unanswered: ${midRequest.chat} chat, ${midRequest.webform} form\n`);
    writeRows(inject('faultSummaryDir'), {
      fault: 'gateway SIGKILL (IMAP, LMTP, chat, form load)', injected: kills.length, seed: rng.seed, seconds: Math.round((Date.now() - began) / 1000),
    }, verdict, [...mail.answers, ...live.answers]);
    expect([...mail.rejected(), ...live.rejected()]).toEqual([]);
    expect(verdict.problems).toEqual([]);
    // Every item a sender offered was accepted in the end (settle), and each channel had load.
    const offered = (channel: string) => new Set(live.answers.filter((a) => a.channel === channel).map((a) => a.key)).size;
    expect(verdict.byChannel.email?.accepted).toBe(2 * MAILS_PER_SOURCE);
    expect(verdict.byChannel.chat?.accepted).toBe(offered('chat'));
    expect(verdict.byChannel.webform?.accepted).toBe(offered('webform'));
    expect(offered('chat')).toBeGreaterThan(0);
    expect(offered('webform')).toBeGreaterThan(0);
    expect(verdict.redelivered).toBeLessThanOrEqual(kills.length);
  });
});
