/**
 * Decides whether the gateway may send an automatic mail (acknowledgement, status update) to an
 * address about a ticket. Each rule exists because a real help desk was caught by its absence:
 * - a suppressed address (it hard-bounced) gets nothing until the suppression runs out;
 * - a ticket whose breaker tripped (many automatic messages in a short time) stays quiet;
 * - at most `perSenderLimit` automatic mails to one address per window (two auto-responders can
 *   never ping-pong through us);
 * - a global breaker caps automatic mail across the whole gateway per window.
 */
import type { AckLogRepository, SuppressionRepository } from './ports.ts';
import type { Decision, Ticket } from './types.ts';

export interface LoopGuardSettings {
  perSenderLimit: number;
  perSenderWindowMs: number;
  globalLimit: number;
  globalWindowMs: number;
}

export const AUTOMAIL_STOPPED = 'automail-stopped';

const verdict = (rule: string, detail: string): Decision => ({ step: 'ack', rule, detail });

export class LoopGuard {
  constructor(
    private readonly ackLog: AckLogRepository,
    private readonly suppressions: SuppressionRepository,
    private readonly settings: LoopGuardSettings,
  ) {}

  /** Null when the mail may go; else the decision that stopped it. `selfId` is this mail's own log id. */
  async check(ticket: Ticket, address: string, selfId: string, at: Date): Promise<Decision | null> {
    const suppressed = await this.suppressions.activeFor(address, at);
    if (suppressed) return verdict('suppressed', `${address} is suppressed until ${suppressed.until.toISOString()}: ${suppressed.reason}`);
    if (ticket.flags.includes(AUTOMAIL_STOPPED)) return verdict('ticket-breaker', `automatic mail on #${ticket.number} is stopped`);
    const senderSince = new Date(at.getTime() - this.settings.perSenderWindowMs);
    const toSender = await this.ackLog.countSince(address, senderSince, selfId);
    if (toSender >= this.settings.perSenderLimit) {
      return verdict('rate-limited', `${toSender} automatic mails to ${address} in the window`);
    }
    const globalSince = new Date(at.getTime() - this.settings.globalWindowMs);
    const overall = await this.ackLog.countAllSince(globalSince, selfId);
    if (overall >= this.settings.globalLimit) return verdict('global-breaker', `${overall} automatic mails in the window`);
    return null;
  }
}
