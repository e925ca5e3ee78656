/**
 * Files a delivery report (RFC 3464) against the exact outbound mail it is about: by the signed VERP
 * token in the address it was sent to, else by the original Message-ID it embeds. A failure marks
 * that mail failed with status and diagnostic, and a permanent one (5.x.x) suppresses the address
 * for a while; `delayed` is information only. The report itself is kept on the ticket.
 */
import type { Logger } from '../logger.ts';
import type { Clock, Repositories } from '../ports.ts';
import { verifyVerpToken, type TokenKeys } from './reply-token.ts';
import type { RoleContext, RoleHandler, RoleOutcome } from '../message-role.ts';
import type { InboundMessage, MailOutboxEntry } from '../types.ts';

export interface BounceSettings {
  keys: TokenKeys;
  suppressionMs: number;
}

export class BounceHandler implements RoleHandler {
  constructor(
    private readonly repos: Repositories,
    private readonly settings: BounceSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async findOutbound(message: InboundMessage): Promise<{ entry: MailOutboxEntry; rule: string } | null> {
    const report = message.bounce;
    if (!report) return null;
    const verpId = report.verpToken ? verifyVerpToken(this.settings.keys, report.verpToken) : null;
    const byVerp = verpId ? await this.repos.outbox.byVerpId(verpId) : null;
    if (byVerp) return { entry: byVerp, rule: 'verp' };
    const byId = await this.repos.outbox.byMessageIds(report.originalMessageIds);
    return byId ? { entry: byId, rule: 'original-message-id' } : null;
  }

  /** A delivery report on its ticket: applied to the outbound mail it names. */
  async finish({ message, ticket, at }: RoleContext): Promise<RoleOutcome> {
    const found = await this.findOutbound(message);
    const notes = found ? await this.apply(message, found.entry) : [];
    await this.repos.tickets.touch(ticket.id, { at });
    return { eventType: notes.some((n) => n.startsWith('failed')) ? 'delivery.failed' : 'delivery.report', notes };
  }

  /** Applies the report to the outbound mail and returns the outcome for the report message. */
  async apply(message: InboundMessage, entry: MailOutboxEntry): Promise<string[]> {
    const at = this.clock.now();
    const notes: string[] = [];
    const ours = new Set(entry.to.map((a) => a.address.toLowerCase()));
    for (const r of message.bounce?.recipients ?? []) {
      const recipient = r.address.toLowerCase();
      if (ours.size && !ours.has(recipient)) continue; // a report about someone we did not write to
      if (r.action !== 'failed' && r.action !== 'delayed') continue;
      const failed = r.action === 'failed';
      await this.repos.outbox.recordBounce(entry.id, { action: r.action, status: r.status, ...(r.diagnostic ? { diagnostic: r.diagnostic } : {}), recipient, at }, failed);
      notes.push(`${r.action} ${r.status} ${recipient}`);
      if (failed && r.status.startsWith('5')) {
        await this.repos.suppressions.suppress({
          address: recipient, until: new Date(at.getTime() + this.settings.suppressionMs),
          reason: r.diagnostic ?? `status ${r.status}`, status: r.status, since: at,
        });
        this.logger.warn({ recipient, status: r.status, ticket: entry.ticketNumber }, 'address suppressed after a permanent bounce');
      }
    }
    return notes;
  }
}
