/**
 * The intake rules: one document holding the whole ordered list, so an admin's edit (order
 * included) is a single write and a reader never sees half of one.
 */
import { Schema } from 'mongoose';

const when = new Schema({
  channels: [String], recipients: [String], senderDomains: [String], words: [String], formCategories: [String], chatSites: [String],
}, { _id: false });
const then = new Schema({ category: String, priority: String, tier: String, assigneeId: String, tags: [String] }, { _id: false });
const rule = new Schema({ id: String, name: String, enabled: Boolean, when, then }, { _id: false });

export const intakeRuleListSchema = new Schema({
  _id: String,
  rules: [rule],
  updatedAt: Date,
  updatedBy: String,
}, { versionKey: false, strict: 'throw', collection: 'intake_rules' });
