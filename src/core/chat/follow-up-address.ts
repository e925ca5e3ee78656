/**
 * Where a chat visitor can be reached by mail: the contact's verified address (a signed site
 * identity, or mail they sent us) first, else the address they typed into the widget. The typed
 * one is kept apart from the contact's identities: an address anyone can type never merges contacts
 * or opens someone else's tickets; it only receives the mail we send about this visitor's chat.
 */
import type { Contact, Identity, Ticket } from '../types.ts';
import type { Repositories } from '../ports.ts';

export const visitorIdentity = (visitorId: string): Identity => ({ kind: 'chat', value: visitorId });

/** A plain address check, capped before the regex (the widget and the channel validate first). */
export function isMailAddress(value: string): boolean {
  return value.length <= 254 && /^[^\s@<>()",;:]{1,64}@[a-z0-9.-]{1,189}\.[a-z]{2,63}$/i.test(value);
}

export async function followUpAddress(repos: Pick<Repositories, 'chatFollowUps'>, contact: Contact | null | undefined): Promise<string | null> {
  if (!contact) return null;
  return contact.emails[0] ?? (await repos.chatFollowUps.address(contact.id));
}

/**
 * Whoever we mail the conversation to may answer it: their address becomes a participant, so the
 * reply threads in without a review flag (as a Cc recipient of a mail ticket would).
 */
export async function admitRecipient(repos: Pick<Repositories, 'contacts' | 'tickets'>, ticket: Ticket, address: string, at: Date): Promise<void> {
  const recipient = await repos.contacts.findOrCreateByEmail({ address });
  if (!ticket.participantIds.includes(recipient.id)) await repos.tickets.touch(ticket.id, { participantIds: [recipient.id], at });
}
