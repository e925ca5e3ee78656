/**
 * Agent accounts and their credentials: create and change agents, check a password, start and end
 * console sessions, issue and revoke personal API tokens, and tell who a session or token belongs
 * to. A disabled agent, an expired session or a revoked token resolve to nobody.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, HelpdeskError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import {
  DEFAULT_NOTIFICATIONS, type Agent, type AgentChange, type AgentStores, type ApiTokenRecord, type NewAgent,
} from './agent.types.ts';
import { generatePassword, hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './password-hash.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** Personal API tokens look like `hdp_<id>.<secret>`: the prefix tells them from other bearer tokens. */
const TOKEN_PATTERN = /^hdp_([A-Za-z0-9_-]{16,32})\.([A-Za-z0-9_-]{32,64})$/;
export const MIN_PASSWORD_LENGTH = 10;

export class AgentDirectory {
  /** A login for an unknown address still runs one hash, so timing does not tell who has an account. */
  private dummyHash?: Promise<string>;

  /** The accounts as last read, and until when (by this process's own timer, not the domain clock). */
  private cached?: { agents: Promise<Agent[]>; until: number };

  /** `rosterTtlMs`: how long roster() may answer from memory (0: always read). */
  constructor(private readonly stores: AgentStores, private readonly clock: Clock, private readonly sessionTtlMs: number, private readonly rosterTtlMs = 0) {}

  /**
   * Every account, cached briefly: mail intake asks per message whether a sender is an agent and
   * the notifier asks per event who wants a mail, and neither should cost a database command each
   * time. A change made through this directory applies at once here; other processes see it
   * within `rosterTtlMs`.
   */
  roster(): Promise<Agent[]> {
    const now = performance.now();
    if (!this.cached || this.cached.until <= now) {
      const agents = this.stores.agents.list();
      this.cached = { agents, until: now + this.rosterTtlMs };
      agents.catch(() => { if (this.cached?.agents === agents) this.cached = undefined; });
    }
    return this.cached.agents;
  }

  /** The account with this address, from the roster (disabled ones included). */
  async rosterByEmail(email: string): Promise<Agent | null> {
    const address = email.trim().toLowerCase();
    return (await this.roster()).find((a) => a.email === address) ?? null;
  }

  /** Creates an agent with the given password, or a generated one (returned once). */
  async create(input: NewAgent, password?: string): Promise<{ agent: Agent; password: string }> {
    const secret = password ?? generatePassword();
    checkPassword(secret);
    const at = this.clock.now();
    const agent: Agent = {
      id: `ag_${randomUUID().replace(/-/g, '').slice(0, 20)}`, email: input.email.trim().toLowerCase(), displayName: input.displayName,
      role: input.role, tier: input.tier, language: input.language, notifications: { ...DEFAULT_NOTIFICATIONS, ...input.notifications },
      disabled: false, createdAt: at, updatedAt: at,
    };
    this.cached = undefined;
    if (!await this.stores.agents.insert(agent, await hashPassword(secret))) {
      throw new HelpdeskError(ErrorCodes.CONFLICT, `an agent with the address ${agent.email} exists`);
    }
    return { agent, password: secret };
  }

  list(): Promise<Agent[]> {
    return this.stores.agents.list();
  }

  byId(id: string): Promise<Agent | null> {
    return this.stores.agents.byId(id);
  }

  byEmail(email: string): Promise<Agent | null> {
    return this.stores.agents.byEmail(email.trim().toLowerCase());
  }

  /** Changes an agent; disabling one also ends its sessions and revokes its tokens. */
  async update(id: string, change: AgentChange): Promise<Agent> {
    const agent = await this.required(id);
    const at = this.clock.now();
    await this.stores.agents.update(id, { ...change, notifications: { ...agent.notifications, ...change.notifications } }, at);
    this.cached = undefined;
    if (change.disabled) {
      await this.stores.sessions.deleteAllOf(id);
      await this.stores.tokens.revokeAllOf(id, at);
    }
    return (await this.stores.agents.byId(id))!;
  }

  /** Sets a new password and ends every session of the agent (tokens stay). */
  async setPassword(id: string, password: string): Promise<void> {
    checkPassword(password);
    await this.required(id);
    await this.stores.agents.setPasswordHash(id, await hashPassword(password), this.clock.now());
    await this.stores.sessions.deleteAllOf(id);
  }

  /** The agent these credentials belong to, or null (wrong password, unknown or disabled agent). */
  async checkPassword(email: string, password: string): Promise<Agent | null> {
    const found = await this.stores.agents.credentialsByEmail(email.trim().toLowerCase());
    this.dummyHash ??= hashPassword(generatePassword());
    const ok = await verifyPassword(password, found?.passwordHash ?? await this.dummyHash);
    return ok && found && !found.agent.disabled ? found.agent : null;
  }

  /** A new session: the id goes into the cookie, only its digest into the store. */
  async startSession(agentId: string): Promise<{ sessionId: string; expiresAt: Date }> {
    const sessionId = randomBytes(32).toString('base64url');
    const at = this.clock.now();
    const expiresAt = new Date(at.getTime() + this.sessionTtlMs);
    await this.stores.sessions.insert({ id: sha256(sessionId), agentId, createdAt: at, expiresAt });
    return { sessionId, expiresAt };
  }

  async endSession(sessionId: string): Promise<void> {
    await this.stores.sessions.delete(sha256(sessionId));
  }

  async agentOfSession(sessionId: string): Promise<Agent | null> {
    if (sessionId.length > 100) return null;
    const session = await this.stores.sessions.byId(sha256(sessionId));
    if (!session || session.expiresAt <= this.clock.now()) return null;
    return this.active(session.agentId);
  }

  /** A personal API token, shown once: only its secret's digest is kept. */
  async issueToken(agentId: string, name: string): Promise<{ token: string; record: ApiTokenRecord }> {
    await this.required(agentId);
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const record: ApiTokenRecord = { id, agentId, name, secretHash: sha256(secret), createdAt: this.clock.now() };
    await this.stores.tokens.insert(record);
    return { token: `hdp_${id}.${secret}`, record };
  }

  tokensOf(agentId: string): Promise<ApiTokenRecord[]> {
    return this.stores.tokens.listByAgent(agentId);
  }

  token(id: string): Promise<ApiTokenRecord | null> {
    return this.stores.tokens.byId(id);
  }

  async revokeToken(id: string): Promise<void> {
    await this.stores.tokens.revoke(id, this.clock.now());
  }

  /** Whether the string has the shape of a personal token (else it is no concern of ours). */
  static looksLikeToken(value: string): boolean {
    return value.startsWith('hdp_');
  }

  async agentOfToken(token: string): Promise<Agent | null> {
    const match = TOKEN_PATTERN.exec(token);
    if (!match) return null;
    const record = await this.stores.tokens.byId(match[1]!);
    if (!record || record.revokedAt) return null;
    const given = Buffer.from(sha256(match[2]!), 'hex');
    if (!timingSafeEqual(given, Buffer.from(record.secretHash, 'hex'))) return null;
    return this.active(record.agentId);
  }

  private async active(agentId: string): Promise<Agent | null> {
    const agent = await this.stores.agents.byId(agentId);
    return agent && !agent.disabled ? agent : null;
  }

  private async required(id: string): Promise<Agent> {
    const agent = await this.stores.agents.byId(id);
    if (!agent) throw new HelpdeskError(ErrorCodes.NOT_FOUND, `no agent ${id}`);
    return agent;
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new HelpdeskError(ErrorCodes.INVALID, `a password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
}
