import type { Address, Contact, ContactRepository } from '../../core/index.ts';
import { isDuplicateKey, stableId } from './ids.ts';
import type { Models } from './models.ts';

interface ContactDoc { _id: string; name?: string; emails?: string[] }
const toContact = (d: ContactDoc): Contact => ({ id: d._id, name: d.name, emails: d.emails ?? [] });

/**
 * A contact's id is derived from its first email address, so creating it is an upsert that two
 * racing ingests (or a replay after a crash) resolve to the same document.
 */
export class MongoContactRepository implements ContactRepository {
  constructor(private readonly m: Models) {}

  async findOrCreateByEmail(address: Address): Promise<Contact> {
    const email = address.address.trim().toLowerCase();
    const existing = await this.byEmail(email);
    if (existing) return existing;
    const _id = stableId('ct', 'email', email);
    try {
      await this.m.Contact.updateOne(
        { _id },
        { $setOnInsert: { name: address.name || undefined, emails: [email], createdAt: new Date() } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    return toContact((await this.m.Contact.findById(_id).lean<ContactDoc>())!);
  }

  async byEmail(address: string): Promise<Contact | null> {
    const doc = await this.m.Contact.findOne({ emails: address.trim().toLowerCase() }).lean<ContactDoc>();
    return doc ? toContact(doc) : null;
  }

  async byIds(ids: string[]): Promise<Contact[]> {
    const docs = await this.m.Contact.find({ _id: { $in: ids } }).lean<ContactDoc[]>();
    return docs.map(toContact);
  }
}
