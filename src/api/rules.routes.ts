/** Intake rules: agents read the ordered list, admins replace it (order included) in one request. */
import type { IntakeRule, Repositories } from '../core/index.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';
import { ruleListBody, ruleListView } from './rule.schemas.ts';

export function registerRuleRoutes(api: ApiRegistry, { repos, now }: { repos: Repositories; now: () => Date }): void {
  api.add({
    method: 'get', path: '/rules', operationId: 'listIntakeRules', tag: 'rules', access: 'agent',
    summary: 'The intake rules in order (the first enabled rule that matches a new ticket fires)',
    responses: { 200: { description: 'The ordered rule list', schema: ruleListView } },
    async handler({ res }) {
      res.json({ rules: await repos.intakeRules.list() });
    },
  });

  api.add({
    method: 'put', path: '/rules', operationId: 'replaceIntakeRules', tag: 'rules', access: 'admin', body: ruleListBody,
    summary: 'Replace the whole ordered list of intake rules (validated; a bad rule refuses the list with 400 naming the field)',
    responses: { 200: { description: 'The stored list', schema: ruleListView } },
    async handler({ body, principal, res }) {
      await repos.intakeRules.replace(body.rules as IntakeRule[], principal.actor.id, now());
      res.json({ rules: await repos.intakeRules.list() });
    },
  });
}
