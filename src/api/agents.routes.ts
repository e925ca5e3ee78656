/** Agent accounts (admin only): list, create, read, change, disable, and their API tokens. */
import { z } from 'zod';
import type { AgentDirectory } from '../core/index.ts';
import {
  agentChangeBody, agentId, agentView, newAgentBody, presentAgent, presentToken, tokenBody, tokenView,
} from './agent.schemas.ts';
import type { ApiRegistry } from './openapi/route-registry.ts';

const notFound = { error: 'not_found', message: 'no such agent' };

export function registerAgentRoutes(api: ApiRegistry, agents: AgentDirectory): void {
  api.add({
    method: 'get', path: '/agents', operationId: 'listAgents', tag: 'agents', access: 'admin',
    summary: 'Every agent account', responses: { 200: { description: 'Agents', schema: z.object({ agents: z.array(agentView) }) } },
    async handler({ res }) { res.json({ agents: (await agents.list()).map(presentAgent) }); },
  });

  api.add({
    method: 'post', path: '/agents', operationId: 'createAgent', tag: 'agents', access: 'admin', body: newAgentBody,
    summary: 'Create an agent; without a password one is generated and returned once',
    responses: {
      201: { description: 'Created', schema: z.object({ agent: agentView, password: z.string().nullable() }) },
      409: { description: 'The address has an account (conflict)' },
    },
    async handler({ body, res }) {
      const { password, ...input } = body;
      const created = await agents.create(input, password);
      res.status(201).json({ agent: presentAgent(created.agent), password: password ? null : created.password });
    },
  });

  api.add({
    method: 'get', path: '/agents/:id', operationId: 'getAgent', tag: 'agents', access: 'admin', params: agentId,
    summary: 'One agent', responses: { 200: { description: 'The agent', schema: agentView } },
    async handler({ params, res }) {
      const agent = await agents.byId(params.id);
      return agent ? res.json(presentAgent(agent)) : res.status(404).json(notFound);
    },
  });

  api.add({
    method: 'patch', path: '/agents/:id', operationId: 'updateAgent', tag: 'agents', access: 'admin', params: agentId, body: agentChangeBody,
    summary: 'Change role, tier, name, language, notifications, password; `disabled: true` ends sessions and revokes tokens',
    responses: { 200: { description: 'The changed agent', schema: agentView } },
    async handler({ params, body, res }) {
      if (!await agents.byId(params.id)) return res.status(404).json(notFound);
      const { password, ...change } = body;
      if (password) await agents.setPassword(params.id, password);
      res.json(presentAgent(await agents.update(params.id, change)));
    },
  });

  api.add({
    method: 'delete', path: '/agents/:id', operationId: 'disableAgent', tag: 'agents', access: 'admin', params: agentId,
    summary: 'Disable an agent (kept for the audit trail): no login, sessions ended, tokens revoked',
    responses: { 204: { description: 'Disabled' } },
    async handler({ params, res }) {
      if (!await agents.byId(params.id)) return res.status(404).json(notFound);
      await agents.update(params.id, { disabled: true });
      res.status(204).end();
    },
  });

  api.add({
    method: 'get', path: '/agents/:id/tokens', operationId: 'listAgentTokens', tag: 'agents', access: 'admin', params: agentId,
    summary: 'An agent\'s API tokens', responses: { 200: { description: 'Tokens', schema: z.object({ tokens: z.array(tokenView) }) } },
    async handler({ params, res }) {
      if (!await agents.byId(params.id)) return res.status(404).json(notFound);
      res.json({ tokens: (await agents.tokensOf(params.id)).map(presentToken) });
    },
  });

  api.add({
    method: 'post', path: '/agents/:id/tokens', operationId: 'createAgentToken', tag: 'agents', access: 'admin', params: agentId, body: tokenBody,
    summary: 'Issue an API token for an agent; its secret is shown this once',
    responses: { 201: { description: 'Issued', schema: tokenView.extend({ token: z.string() }) } },
    async handler({ params, body, res }) {
      if (!await agents.byId(params.id)) return res.status(404).json(notFound);
      const { token, record } = await agents.issueToken(params.id, body.name);
      res.status(201).json({ ...presentToken(record), token });
    },
  });
}
