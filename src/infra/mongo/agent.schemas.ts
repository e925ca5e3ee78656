/**
 * Collections of agent accounts, their personal API tokens and console sessions. Tokens and
 * sessions are found by `_id` (the only filter FerretDB 1.x pushes down); secrets are stored as
 * digests only (see src/core/agents/).
 */
import { Schema, type Connection } from 'mongoose';
import { AGENT_ROLES, LOCALES, TIERS } from '../../core/index.ts';

const opts = { versionKey: false as const, strict: 'throw' as const };

export const agentSchema = new Schema({
  _id: String,
  /** Lowercased. Unique: a plain (not multikey) index, which FerretDB enforces. */
  email: { type: String, required: true, unique: true },
  displayName: String,
  role: { type: String, enum: AGENT_ROLES },
  tier: { type: String, enum: TIERS },
  language: { type: String, enum: LOCALES },
  notifications: { newTickets: Boolean, assignments: Boolean, customerReplies: Boolean },
  passwordHash: String,
  disabled: Boolean,
  createdAt: Date,
  updatedAt: Date,
}, { ...opts, collection: 'agents' });

export const apiTokenSchema = new Schema({
  _id: String,
  agentId: { type: String, required: true, index: true },
  name: String,
  secretHash: String,
  createdAt: Date,
  revokedAt: Date,
}, { ...opts, collection: 'agent_tokens' });

export const sessionSchema = new Schema({
  _id: String,
  agentId: { type: String, required: true, index: true },
  createdAt: Date,
  expiresAt: Date,
}, { ...opts, collection: 'agent_sessions' });

/** The models on one connection (created once per connection, reused after). */
export function agentModels(conn: Connection) {
  const model = <T extends Schema>(name: string, schema: T) => conn.models[name] ?? conn.model(name, schema);
  return {
    Agent: model('Agent', agentSchema) as ReturnType<typeof conn.model>,
    ApiToken: model('ApiToken', apiTokenSchema) as ReturnType<typeof conn.model>,
    Session: model('Session', sessionSchema) as ReturnType<typeof conn.model>,
  };
}

export type AgentModels = ReturnType<typeof agentModels>;
