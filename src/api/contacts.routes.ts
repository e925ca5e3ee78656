/** Contacts: a person with every identity the channels verified for them, and the tickets they requested. */
import type { Contact, IdentityKind, Repositories } from '../core/index.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import { presentTicket } from './ticket.presenter.ts';
import { contactLookupQuery, contactParam, contactView } from './ticket.schemas.ts';

/** The newest tickets shown with a contact. */
const CONTACT_TICKETS = 100;

export function registerContactRoutes(api: ApiRegistry, repos: Repositories): void {
  const present = async (contact: Contact) => {
    const tickets = await repos.tickets.list({ limit: CONTACT_TICKETS, filter: { requesterId: contact.id } });
    return {
      id: contact.id, name: contact.name ?? null, emails: contact.emails, identities: contact.identities,
      tickets: tickets.map((t) => presentTicket(t, contact)),
    };
  };
  const notFound = { error: 'not_found', message: 'no such contact' };

  api.add({
    method: 'get', path: '/contacts', operationId: 'findContact', tag: 'contacts', access: 'agent', query: contactLookupQuery,
    summary: 'The contact holding an email address or another identity (`kind:value`), with its tickets',
    responses: { 200: { description: 'The contact', schema: contactView } },
    async handler({ query, res }) {
      const contact = query.email
        ? await repos.contacts.byEmail(query.email)
        : await repos.contacts.byIdentity({ kind: query.identity!.split(':')[0] as IdentityKind, value: query.identity!.slice(query.identity!.indexOf(':') + 1) });
      return contact ? res.json(await present(contact)) : res.status(404).json(notFound);
    },
  });

  api.add({
    method: 'get', path: '/contacts/:id', operationId: 'getContact', tag: 'contacts', access: 'agent', params: contactParam,
    summary: 'One contact with its identities and tickets',
    responses: { 200: { description: 'The contact', schema: contactView } },
    async handler({ params, res }) {
      const [contact] = await repos.contacts.byIds([params.id]);
      return contact ? res.json(await present(contact)) : res.status(404).json(notFound);
    },
  });
}
