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
 * The limits count in fixed windows (one counter document each, read and raised by `_id` in one
 * round trip): a mail counts when it is checked, so one stopped by a later rule, or checked again
 * by a replay after a crash, counts too (errs on the quiet side), and a burst straddling a window
 * boundary may get up to twice a limit.
 */
import type { AckLogRepository, SuppressionRepository } from '../ports.ts';
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
  async check({ ticket, address, at, knownCustomer }: GuardRequest): Promise<Decision | null> {
    if (ticket.flags.includes(AUTOMAIL_STOPPED)) return verdict('ticket-breaker', `automatic mail on #${ticket.number} is stopped`);
    const suppressed = await this.suppressions.activeFor(address, at);
    if (suppressed) return verdict('suppressed', `${address} is suppressed until ${suppressed.until.toISOString()}: ${suppressed.reason}`);
    // Each count includes this mail: it may go while the count stays within the limit.
    const toSender = await this.ackLog.count('address', address, this.settings.perSenderWindowMs, at);
    if (toSender > this.settings.perSenderLimit) {
      return verdict('rate-limited', `${toSender - 1} automatic mails to ${address} in the window`);
    }
    if (knownCustomer) return null;
    const domain = address.slice(address.lastIndexOf('@') + 1);
    const toDomain = await this.ackLog.count('domain', domain, this.settings.perDomainWindowMs, at);
    if (toDomain > this.settings.perDomainLimit) {
      return verdict('domain-limited', `${toDomain - 1} automatic mails to ${domain} in the window`);
    }
    const overall = await this.ackLog.count('all', 'gateway', this.settings.globalWindowMs, at);
    if (overall > this.settings.globalLimit) return verdict('global-breaker', `${overall - 1} automatic mails in the window; known customers still get theirs`);
    return null;
  }
}
