/**
 * Contacts stored before identities existed hold `emails: [...]`. Each such contact gets
 * `identities: ['email:…']`, its claims in contact_identities, and loses `emails`. One document at
 * a time (FerretDB 1.x has no update pipelines); safe to run on every start, and to be cut short.
 */
import { claimIdentity, resumeMerges } from './contact-merge.ts';
import type { Models } from './models.ts';

export async function migrateContacts(m: Models): Promise<number> {
  const legacy = await m.Contact.find({ identities: { $exists: false } }).lean<Array<{ _id: string; emails?: string[] }>>();
  for (const doc of legacy) {
    const identities = [...new Set((doc.emails ?? []).map((e) => `email:${e.trim().toLowerCase()}`))];
    for (const key of identities) await claimIdentity(m, key, doc._id);
    await m.Contact.updateOne({ _id: doc._id }, { $set: { identities }, $unset: { emails: 1 } });
  }
  await resumeMerges(m);
  return legacy.length;
}
