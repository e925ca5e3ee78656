/**
 * Agent accounts and how they prove who they are: a password (console login, a cookie session)
 * or a personal API token. Secrets are never stored: passwords as a salted scrypt hash, session
 * ids and token secrets as sha256 digests.
 */
import type { Locale, Tier } from '../types.ts';

export const AGENT_ROLES = ['agent', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** Which mails an agent wants (each one on or off per agent). */
export interface NotificationSettings {
  /** New tickets in the agent's tier, and tickets escalated to it. */
  newTickets: boolean;
  assignments: boolean;
  customerReplies: boolean;
}

export const DEFAULT_NOTIFICATIONS: NotificationSettings = { newTickets: true, assignments: true, customerReplies: true };

export interface Agent {
  id: string;
  /** Lowercased; unique. */
  email: string;
  displayName: string;
  role: AgentRole;
  tier: Tier;
  language: Locale;
  notifications: NotificationSettings;
  /** A disabled agent cannot log in; its sessions and tokens stop working. */
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type NewAgent = Pick<Agent, 'email' | 'displayName' | 'role' | 'tier' | 'language'> & { notifications?: Partial<NotificationSettings> };
export type AgentChange = Partial<Pick<Agent, 'displayName' | 'role' | 'tier' | 'language' | 'disabled'>> & { notifications?: Partial<NotificationSettings> };

export interface AgentRepository {
  /** Inserts the agent; false when the email is taken. */
  insert(agent: Agent, passwordHash: string): Promise<boolean>;
  byId(id: string): Promise<Agent | null>;
  byEmail(email: string): Promise<Agent | null>;
  /** With the stored password hash, for a login. */
  credentialsByEmail(email: string): Promise<{ agent: Agent; passwordHash: string } | null>;
  list(): Promise<Agent[]>;
  update(id: string, change: AgentChange, at: Date): Promise<void>;
  setPasswordHash(id: string, hash: string, at: Date): Promise<void>;
}

export interface ApiTokenRecord {
  /** Public part of the token (`hdp_<id>.<secret>`): names it for listing and revoking. */
  id: string;
  agentId: string;
  name: string;
  /** sha256 of the secret part, hex. */
  secretHash: string;
  createdAt: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

export interface ApiTokenRepository {
  insert(token: ApiTokenRecord): Promise<void>;
  byId(id: string): Promise<ApiTokenRecord | null>;
  listByAgent(agentId: string): Promise<ApiTokenRecord[]>;
  revoke(id: string, at: Date): Promise<void>;
  revokeAllOf(agentId: string, at: Date): Promise<void>;
}

export interface SessionRecord {
  /** sha256 of the session id, hex: the cookie's value is never stored. */
  id: string;
  agentId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionRepository {
  insert(session: SessionRecord): Promise<void>;
  byId(id: string): Promise<SessionRecord | null>;
  delete(id: string): Promise<void>;
  deleteAllOf(agentId: string): Promise<void>;
}

export interface AgentStores {
  agents: AgentRepository;
  tokens: ApiTokenRepository;
  sessions: SessionRepository;
}

/** Counts failed logins per key (address and client); a key over its limit is refused for a while. */
export interface LoginThrottle {
  /** Milliseconds until the key may try again; 0 when it may try now. */
  blockedFor(key: string): Promise<number>;
  recordFailure(key: string): Promise<void>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}
