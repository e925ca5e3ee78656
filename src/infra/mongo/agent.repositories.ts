/** Agents, personal API tokens and console sessions in MongoDB (implementations of the core's AgentStores). */
import type { Connection } from 'mongoose';
import type {
  Agent, AgentChange, AgentRepository, AgentStores, ApiTokenRecord, ApiTokenRepository, SessionRecord, SessionRepository,
} from '../../core/index.ts';
import { agentModels, type AgentModels } from './agent.schemas.ts';
import { fromDoc } from './doc-mapper.ts';
import { isDuplicateKey } from './ids.ts';
import { translateErrors } from './transient-errors.ts';

type AgentDoc = Omit<Agent, 'id'> & { _id: string; passwordHash?: string };

function toAgent(doc: AgentDoc): Agent {
  // The hash never leaves the repository except through credentialsByEmail.
  const agent = fromDoc<Agent & { passwordHash?: string }>(doc);
  delete agent.passwordHash;
  return { ...agent, disabled: Boolean(agent.disabled) };
}

/** `{ notifications: { x } }` as dotted `$set` keys, so unspecified settings stay as they are. */
function flatten(change: AgentChange): Record<string, unknown> {
  const { notifications, ...fields } = change;
  const set: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  for (const [key, value] of Object.entries(notifications ?? {})) if (value !== undefined) set[`notifications.${key}`] = value;
  return set;
}

class MongoAgentRepository implements AgentRepository {
  constructor(private readonly m: AgentModels) {}

  async insert(agent: Agent, passwordHash: string): Promise<boolean> {
    const { id, ...fields } = agent;
    try {
      await this.m.Agent.create({ _id: id, ...fields, passwordHash });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async byId(id: string): Promise<Agent | null> {
    const doc = await this.m.Agent.findById(String(id)).lean<AgentDoc>();
    return doc ? toAgent(doc) : null;
  }

  async byEmail(email: string): Promise<Agent | null> {
    return (await this.credentialsByEmail(email))?.agent ?? null;
  }

  async credentialsByEmail(email: string): Promise<{ agent: Agent; passwordHash: string } | null> {
    const doc = await this.m.Agent.findOne({ email: String(email) }).lean<AgentDoc>();
    return doc?.passwordHash ? { agent: toAgent(doc), passwordHash: doc.passwordHash } : null;
  }

  async list(): Promise<Agent[]> {
    const docs = await this.m.Agent.find({}).sort({ createdAt: 1 }).lean<AgentDoc[]>();
    return docs.map(toAgent);
  }

  async update(id: string, change: AgentChange, at: Date): Promise<void> {
    await this.m.Agent.updateOne({ _id: String(id) }, { $set: { ...flatten(change), updatedAt: at } });
  }

  async setPasswordHash(id: string, hash: string, at: Date): Promise<void> {
    await this.m.Agent.updateOne({ _id: String(id) }, { $set: { passwordHash: hash, updatedAt: at } });
  }
}

const toToken = (doc: object) => fromDoc<ApiTokenRecord>(doc);

class MongoApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly m: AgentModels) {}

  async insert(token: ApiTokenRecord): Promise<void> {
    const { id, ...fields } = token;
    await this.m.ApiToken.create({ _id: id, ...fields });
  }

  async byId(id: string): Promise<ApiTokenRecord | null> {
    const doc = await this.m.ApiToken.findById(String(id)).lean();
    return doc ? toToken(doc) : null;
  }

  async listByAgent(agentId: string): Promise<ApiTokenRecord[]> {
    return (await this.m.ApiToken.find({ agentId: String(agentId) }).sort({ createdAt: 1 }).lean()).map(toToken);
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.m.ApiToken.updateOne({ _id: String(id), revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
  }

  async revokeAllOf(agentId: string, at: Date): Promise<void> {
    await this.m.ApiToken.updateMany({ agentId: String(agentId), revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
  }
}

class MongoSessionRepository implements SessionRepository {
  constructor(private readonly m: AgentModels) {}

  async insert(session: SessionRecord): Promise<void> {
    const { id, ...fields } = session;
    await this.m.Session.create({ _id: id, ...fields });
  }

  async byId(id: string): Promise<SessionRecord | null> {
    const doc = await this.m.Session.findById(String(id)).lean();
    return doc ? fromDoc<SessionRecord>(doc) : null;
  }

  async delete(id: string): Promise<void> {
    await this.m.Session.deleteOne({ _id: String(id) });
  }

  async deleteAllOf(agentId: string): Promise<void> {
    await this.m.Session.deleteMany({ agentId: String(agentId) });
  }
}

/** The stores on one connection, driver outages translated to TransientError (indexes: store-preparation.ts). */
export function createAgentStores(conn: Connection): AgentStores & { models: AgentModels } {
  const models = agentModels(conn);
  return {
    models,
    agents: translateErrors(new MongoAgentRepository(models)),
    tokens: translateErrors(new MongoApiTokenRepository(models)),
    sessions: translateErrors(new MongoSessionRepository(models)),
  };
}
