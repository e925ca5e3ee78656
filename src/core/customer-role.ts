/**
 * A customer's message (or anyone's who is not a proven agent and not a delivery report): adds the
 * sender and Cc'd people as participants unless the message was flagged, and a person answering
 * reopens a pending or resolved ticket (an auto-responder does not).
 */
import type { RoleContext, RoleHandler, RoleOutcome } from './message-role.ts';
import type { ContactRepository, TicketRepository } from './ports.ts';

export class CustomerRole implements RoleHandler {
  private readonly own: Set<string>;

  constructor(private readonly repos: { contacts: ContactRepository; tickets: TicketRepository }, ownAddresses: string[]) {
    this.own = new Set(ownAddresses.map((a) => a.toLowerCase()));
  }

  async finish({ message, stored, ticket, contact, at }: RoleContext): Promise<RoleOutcome> {
    const ccContacts = await Promise.all(
      message.cc.filter((a) => !this.own.has(a.address.toLowerCase())).map((a) => this.repos.contacts.findOrCreateByEmail(a)),
    );
    const participants = [contact?.id, ...ccContacts.map((c) => c.id)].filter((id): id is string => Boolean(id));
    const reopen = !stored.opensTicket && message.classification === 'human' && ['pending', 'resolved'].includes(ticket.status);
    await this.repos.tickets.touch(ticket.id, {
      participantIds: stored.flagged ? [] : participants,
      flags: stored.flagged ? ['needs-review'] : [],
      ...(reopen ? { status: 'open' as const } : {}),
      at,
    });
    return { eventType: stored.opensTicket ? 'ticket.created' : 'message.appended', notes: [] };
  }
}
