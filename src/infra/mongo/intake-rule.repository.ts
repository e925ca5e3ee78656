import type { IntakeRule, IntakeRuleStore } from '../../core/index.ts';
import type { Models } from './models.ts';

const LIST_ID = 'intake-rules';

/** Drops the empty arrays and absent fields mongoose fills in, so a rule reads back as it was written. */
function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && !v.length))) as T;
}

/**
 * How long a process reuses the list it read: every new ticket consults it, and it changes only
 * when an admin edits it. An edit through this process applies at once; another process (a second
 * gateway) picks it up within this time.
 */
export const RULES_CACHE_MS = 5000;

/** The ordered list in one document, read by `_id` (the one filter FerretDB pushes down). */
export class MongoIntakeRuleStore implements IntakeRuleStore {
  private cached: { rules: IntakeRule[]; until: number } | undefined;

  constructor(private readonly m: Models) {}

  async list(): Promise<IntakeRule[]> {
    if (this.cached && Date.now() < this.cached.until) return this.cached.rules;
    const doc = await this.m.IntakeRuleList.findById(LIST_ID).lean<{ rules?: IntakeRule[] }>();
    const rules = (doc?.rules ?? []).map((r) => ({ id: r.id, name: r.name, enabled: r.enabled !== false, when: clean(r.when ?? {}), then: clean(r.then ?? {}) }));
    this.cached = { rules, until: Date.now() + RULES_CACHE_MS };
    return rules;
  }

  async replace(rules: IntakeRule[], actor: string, at: Date): Promise<void> {
    this.cached = undefined;
    await this.m.IntakeRuleList.updateOne({ _id: LIST_ID }, { $set: { rules, updatedAt: at, updatedBy: actor } }, { upsert: true });
    this.cached = undefined;
  }
}
