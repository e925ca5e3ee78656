import type { Address, Contact, ContactRepository, Identity } from '../../core/index.ts';
import { claimIdentity, mergeContact } from './contact-merge.ts';
import { identitiesOf, identityKey } from './identity-keys.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import type { Models } from './models.ts';

interface ContactDoc { _id: string; name?: string; identities?: string[] }

function toContact(d: ContactDoc): Contact {
  const identities = identitiesOf(d.identities ?? []);
  return { id: d._id, name: d.name, identities, emails: identities.filter((i) => i.kind === 'email').map((i) => i.value) };
}

/**
 * A contact's id is derived from the identity it was created with, so creating one is an upsert
 * that two racing ingests (or a replay after a crash) resolve to the same document. Ownership of
 * an identity is its document in contact_identities (unique `_id`); the contact is written first,
 * so a crash in between leaves a contact that the replay claims the identity for.
 */
export class MongoContactRepository implements ContactRepository {
  constructor(private readonly m: Models) {}

  async findOrCreate(identity: Identity, name?: string): Promise<Contact> {
    const existing = await this.byIdentity(identity);
    if (existing) return existing;
    const key = identityKey(identity);
    const _id = stableId('ct', identity.kind, key.slice(identity.kind.length + 1));
    try {
      await this.m.Contact.updateOne(
        { _id },
        { $setOnInsert: { name: name || undefined, identities: [key], createdAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // a concurrent upsert of the same contact won
    }
    const owner = await claimIdentity(this.m, key, _id);
    return (await this.byIds([owner]))[0]!;
  }

  async byIdentity(identity: Identity): Promise<Contact | null> {
    const claim = await this.m.ContactIdentity.findById(identityKey(identity)).lean<{ contactId: string }>();
    return claim ? ((await this.byIds([claim.contactId]))[0] ?? null) : null;
  }

  async link(identities: Identity[], name?: string): Promise<Contact> {
    if (!identities.length) throw new Error('link needs at least one identity');
    const target = await this.findOrCreate(identities[0]!, name);
    for (const identity of identities.slice(1)) {
      const key = identityKey(identity);
      const owner = await claimIdentity(this.m, key, target.id);
      if (owner !== target.id) await mergeContact(this.m, target.id, owner);
      await this.m.Contact.updateOne({ _id: target.id }, { $addToSet: { identities: key } });
    }
    return (await this.byIds([target.id]))[0]!;
  }

  findOrCreateByEmail(address: Address): Promise<Contact> {
    return this.findOrCreate({ kind: 'email', value: address.address }, address.name);
  }

  byEmail(address: string): Promise<Contact | null> {
    return this.byIdentity({ kind: 'email', value: address });
  }

  async byIds(ids: string[]): Promise<Contact[]> {
    const docs = await this.m.Contact.find({ _id: { $in: ids } }).lean<ContactDoc[]>();
    return docs.map(toContact);
  }
}
