import type { IntakeRule, IntakeRuleStore } from '../../core/index.ts';
import type { Models } from './models.ts';

const LIST_ID = 'intake-rules';

/** Drops the empty arrays and absent fields mongoose fills in, so a rule reads back as it was written. */
function clean<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && !v.length))) as T;
}

/** The ordered list in one document, read by `_id` (the one filter FerretDB pushes down). */
export class MongoIntakeRuleStore implements IntakeRuleStore {
  constructor(private readonly m: Models) {}

  async list(): Promise<IntakeRule[]> {
    const doc = await this.m.IntakeRuleList.findById(LIST_ID).lean<{ rules?: IntakeRule[] }>();
    return (doc?.rules ?? []).map((r) => ({ id: r.id, name: r.name, enabled: r.enabled !== false, when: clean(r.when ?? {}), then: clean(r.then ?? {}) }));
  }

  async replace(rules: IntakeRule[], actor: string, at: Date): Promise<void> {
    await this.m.IntakeRuleList.updateOne({ _id: LIST_ID }, { $set: { rules, updatedAt: at, updatedBy: actor } }, { upsert: true });
  }
}
