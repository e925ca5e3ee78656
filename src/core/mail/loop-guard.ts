/**
 * Decides whether the gateway may send an automatic mail (acknowledgement, status update) to an
 * address about a ticket. Each rule exists because a real help desk was caught by its absence:
 * - a suppressed address (it hard-bounced) gets nothing until the suppression runs out;
 * - a ticket whose breaker tripped (many automatic messages in a short time) stays quiet;
 * - at most `perSenderLimit` automatic mails to one address per window (two auto-responders can
 *   never ping-pong through us);
 * - for strangers (no earlier ticket), at most `perDomainLimit` per recipient domain per window,
 *   and a global breaker across the whole gateway: forged mail can aim acknowledgements at
 *   strangers, but only a few, and a flood of it never silences known customers.
 * The limits count in fixed windows (one counter document each, by `_id`; all of a mail's counters
 * are raised in one round trip, each only while its window has room): a mail counts when it is
 * checked, so one stopped by a later rule counts too (errs on the quiet side), and a burst
 * straddling a window boundary may get up to twice a limit. A mail is counted once however often
 * its ingest is interrupted (a crash, a database outage) and repeated: the repeat skips the counters
 * its first attempt raised (they carry the mail's name), else every retry would use up a little
 * more of a customer's limit until their acknowledgement was never sent. (Should another mail
 * raise a counter in between, the repeat counts there again, on the quiet side.)
 */
import type { AckLimit, AckLogRepository, SuppressionRepository } from '../ports.ts';
import type { Decision, Ticket } from '../types.ts';

export interface LoopGuardSettings {
  perSenderLimit: number;
  perSenderWindowMs: number;
  perDomainLimit: number;
  perDomainWindowMs: number;
  globalLimit: number;
  globalWindowMs: number;
}

export interface GuardRequest {
  ticket: Ticket;
  address: string;
  at: Date;
  /** The recipient had tickets before the current global window: the breaker never pauses them. */
  knownCustomer: boolean;
  /** Names the mail (its outbox id): stamped on the counters it raises. */
  mailId: string;
  /** A repeat of an interrupted ingest: counters its first attempt raised are not raised again. */
  replay?: boolean;
}

export const AUTOMAIL_STOPPED = 'automail-stopped';

const verdict = (rule: string, detail: string): Decision => ({ step: 'ack', rule, detail });

export class LoopGuard {
  constructor(
    private readonly ackLog: AckLogRepository,
    private readonly suppressions: SuppressionRepository,
    readonly settings: LoopGuardSettings,
  ) {}

  /** Null when the mail may go; else the decision that stopped it. */
  async check({ ticket, address, at, knownCustomer, mailId, replay = false }: GuardRequest): Promise<Decision | null> {
    if (ticket.flags.includes(AUTOMAIL_STOPPED)) return verdict('ticket-breaker', `automatic mail on #${ticket.number} is stopped`);
    const suppressed = await this.suppressions.activeFor(address, at);
    if (suppressed) return verdict('suppressed', `${address} is suppressed until ${suppressed.until.toISOString()}: ${suppressed.reason}`);
    // Address first, then (for strangers) domain and gateway: one bulk write when all have room.
    // A mail stopped by one limit is not counted against the later ones (as if checked one by one).
    const domain = address.slice(address.lastIndexOf('@') + 1);
    const { settings } = this;
    const limits: AckLimit[] = [
      { scope: 'address', key: address, windowMs: settings.perSenderWindowMs, limit: settings.perSenderLimit },
      ...(knownCustomer ? [] : [
        { scope: 'domain' as const, key: domain, windowMs: settings.perDomainWindowMs, limit: settings.perDomainLimit },
        { scope: 'all' as const, key: 'gateway', windowMs: settings.globalWindowMs, limit: settings.globalLimit },
      ]),
    ];
    const counted = replay ? await this.ackLog.raisedBy(limits, at, mailId) : 0;
    const full = await this.ackLog.countWithin(limits.slice(counted), at, mailId);
    if (!full) return null;
    const before = full.count - 1;
    switch (limits[counted + full.index]!.scope) {
      case 'address': return verdict('rate-limited', `${before} automatic mails to ${address} in the window`);
      case 'domain': return verdict('domain-limited', `${before} automatic mails to ${domain} in the window`);
      default: return verdict('global-breaker', `${before} automatic mails in the window; known customers still get theirs`);
    }
  }
}
