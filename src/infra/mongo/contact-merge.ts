/**
 * Who owns an identity, and merging one contact into another, without transactions. The move is
 * journaled on `from` first; every step is idempotent and `resumeMerges` (run at start) finishes
 * a merge a crash cut short:
 *   1. journal on `from`: mergedInto, mergedIdentities   4. `from` keeps no identities
 *   2. the identities' owner becomes `into`               5. tickets: requester and participants move
 *   3. they join `into`'s list                            6. mergeDone
 */
import { isDuplicateKey } from './ids.ts';
import type { Models } from './models.ts';

/** Gives the identity to `contactId` unless someone holds it; returns whoever holds it now. */
export async function claimIdentity(m: Models, key: string, contactId: string): Promise<string> {
  // One round trip: the upsert returns the claim as it stands, ours or an earlier one. The
  // driver's call, not mongoose's: once per mail, and its query building and casting cost more CPU
  // than the command (the values are strings and a Date already; the document is the same).
  for (let attempt = 1; ; attempt++) {
    try {
      const doc = await m.ContactIdentity.collection.findOneAndUpdate(
        { _id: key as never }, { $setOnInsert: { contactId, createdAt: new Date() } }, { upsert: true, returnDocument: 'after' },
      );
      return (doc as { contactId: string } | null)!.contactId;
    } catch (err) {
      if (!isDuplicateKey(err) || attempt >= 3) throw err; // a concurrent claim of the same key won: read it
    }
  }
}

export async function mergeContact(m: Models, into: string, from: string): Promise<void> {
  if (into === from) return;
  const doc = await m.Contact.findById(from).lean<{ identities?: string[]; mergedInto?: string; mergedIdentities?: string[] }>();
  if (!doc || (doc.mergedInto && doc.mergedInto !== into)) return;
  const moving = doc.mergedIdentities ?? doc.identities ?? [];
  if (!doc.mergedInto) await m.Contact.updateOne({ _id: from, mergedInto: null }, { $set: { mergedInto: into, mergedIdentities: moving } });
  await finish(m, into, from, moving);
}

async function finish(m: Models, into: string, from: string, moving: string[]): Promise<void> {
  await m.ContactIdentity.updateMany({ contactId: from }, { $set: { contactId: into } });
  if (moving.length) await m.Contact.updateOne({ _id: into }, { $addToSet: { identities: { $each: moving } } });
  await m.Contact.updateOne({ _id: from }, { $set: { identities: [] } });
  await m.Ticket.updateMany({ requesterId: from }, { $set: { requesterId: into } });
  await m.Ticket.updateMany({ participantIds: from }, { $addToSet: { participantIds: into } });
  await m.Ticket.updateMany({ participantIds: from }, { $pull: { participantIds: from } });
  await m.Contact.updateOne({ _id: from }, { $set: { mergeDone: true } });
}

/** Completes merges a crash interrupted (journaled, not done). */
export async function resumeMerges(m: Models): Promise<number> {
  const open = await m.Contact.find({ mergedInto: { $ne: null }, mergeDone: { $ne: true } })
    .lean<Array<{ _id: string; mergedInto: string; mergedIdentities?: string[] }>>();
  for (const doc of open) await finish(m, doc.mergedInto, doc._id, doc.mergedIdentities ?? []);
  return open.length;
}
