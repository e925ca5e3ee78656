import type { Address, Contact, ContactRepository, Identity } from '../../core/index.ts';
import { claimIdentity, mergeContact } from './contact-merge.ts';
import { identitiesOf, identityKey } from './identity-keys.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import type { Models } from './models.ts';

interface ContactDoc { _id: string; name?: string; identities?: string[]; createdAt?: Date }

function toContact(d: ContactDoc): Contact {
  const identities = identitiesOf(d.identities ?? []);
  return {
    id: d._id, name: d.name, identities, emails: identities.filter((i) => i.kind === 'email').map((i) => i.value),
    ...(d.createdAt ? { since: d.createdAt } : {}),
  };
}

/**
 * A contact's id is derived from the identity it was created with, so creating one is an upsert
 * that two racing ingests (or a replay after a crash) resolve to the same document. Ownership of
 * an identity is its document in contact_identities (unique `_id`). Finding or creating costs two
 * round trips by `_id`, both upserts that return the document: the claim (which names the owner,
 * ours or an earlier one), then the owner's contact (created when missing: a first sight, or a
 * crash between the two).
 */
export class MongoContactRepository implements ContactRepository {
  constructor(private readonly m: Models) {}

  async findOrCreate(identity: Identity, name?: string): Promise<Contact> {
    const key = identityKey(identity);
    const owner = await claimIdentity(this.m, key, stableId('ct', identity.kind, key.slice(identity.kind.length + 1)));
    for (let attempt = 1; ; attempt++) {
      try {
        // The driver's call, as for the claim (contact-merge.ts): same document, less CPU per mail.
        const doc = await this.m.Contact.collection.findOneAndUpdate(
          { _id: owner as never },
          { $setOnInsert: { ...(name ? { name } : {}), identities: [key], createdAt: new Date() } },
          { upsert: true, returnDocument: 'after' },
        );
        return toContact(doc as unknown as ContactDoc);
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= 3) throw err; // a concurrent upsert of the same contact won: read it
      }
    }
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
