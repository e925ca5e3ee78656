/**
 * The offline side of chat: follow-up addresses visitors typed (one document per contact, by
 * `_id`) and gone-visitor digests (one per ticket and window, `_id` derived from the first missed
 * line so a replay lands on the same document).
 */
import { Schema } from 'mongoose';

const opts = { versionKey: false as const, strict: 'throw' as const };

export const chatFollowUpSchema = new Schema({
  _id: String, // contact id
  address: String,
  updatedAt: Date,
}, { ...opts, collection: 'chat_follow_ups' });

export const chatDigestSchema = new Schema({
  _id: String,
  ticketId: { type: String, index: true },
  dueAt: Date,
  status: { type: String, enum: ['pending', 'done'] },
  lineIds: [String],
  createdAt: Date,
  doneAt: Date,
}, { ...opts, collection: 'chat_digests' });
chatDigestSchema.index({ status: 1, dueAt: 1 });
