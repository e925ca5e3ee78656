/**
 * The OpenAPI document at /api/v1/openapi.json: a well-formed 3.1 document whose every $ref
 * resolves, that lists exactly the routes the express app serves under /api/v1 (found by walking
 * the router stack, channel routes included), and whose schemas are the ones that validate.
 */
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../src/api/http.app.ts';
import { listRoutes } from '../../src/api/openapi/express-routes.ts';
import { displayHtml } from '../../channels/index.ts';
import { TICKET_STATUSES } from '../../src/core/index.ts';
import { createLoginThrottle } from '../../src/infra/auth/login-throttle.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { openTestCore } from '../support/core.ts';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
type Doc = { openapi: string; info: Record<string, string>; paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };
type Operation = { operationId: string; parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>; responses: Record<string, unknown>; requestBody?: unknown; security: unknown[] };

/** Every `$ref` in the document, with where it was found. */
function refs(node: unknown, at = '#'): Array<{ ref: string; at: string }> {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [{ ref: value, at }] : refs(value, `${at}/${key}`)));
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

describe('OpenAPI document', () => {
  let t: Awaited<ReturnType<typeof openTestCore>>;
  let server: Server;
  let base: string;
  let app: express.Express;
  let doc: Doc;

  beforeAll(async () => {
    t = await openTestCore('openapi');
    // A channel's own route under /api/v1, as the chat and form channels mount theirs.
    const channelRoutes = express.Router();
    channelRoutes.post('/api/v1/test-channel/:conversation/messages', (_req, res) => { res.status(201).json({}); });
    channelRoutes.get('/test-channel/page', (_req, res) => { res.send('page'); });
    app = createHttpApp({
      repos: t.core.repos, actions: t.core.actions, knowledge: t.core.knowledge, reports: t.core.reports, agents: t.core.agents, displayHtml, adminToken: 'test-admin-token-0123456789',
      secret: 'test-secret-0123456789abcdef', publicUrl: 'http://127.0.0.1', readiness: async () => ({}), logger: createLogger('silent'),
      loginThrottle: createLoginThrottle({ maxFailures: 5, windowMs: 60_000 }, createLogger('silent')), channelRoutes,
    });
    server = await new Promise<Server>((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const res = await fetch(`${base}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    doc = await res.json();
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.drop();
  });

  it('is an OpenAPI 3.1 document: info, paths with operations, unique operation ids, declared path parameters', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith('/'), path).toBe(true);
      const operations = Object.entries(item).filter(([method]) => HTTP_METHODS.includes(method));
      expect(operations.length, path).toBeGreaterThan(0);
      for (const [method, op] of operations) {
        expect(ids.has(op.operationId), `${method} ${path} operationId`).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).length, `${method} ${path} responses`).toBeGreaterThan(0);
        const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
        const declared = op.parameters.filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name).sort(), `${method} ${path} path parameters`).toEqual(templated);
        expect(declared.every((p) => p.required)).toBe(true);
        for (const p of op.parameters) expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
      }
    }
  });

  it('resolves every $ref, and every security requirement names a declared scheme', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const { ref, at } of all) expect(resolvePointer(doc, ref), `${ref} at ${at}`).toBeDefined();
    const schemes = Object.keys(doc.components.securitySchemes!);
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const requirement of op.security as Array<Record<string, unknown>>) {
          for (const name of Object.keys(requirement)) expect(schemes).toContain(name);
        }
      }
    }
  });

  it('lists exactly the routes the express app serves under /api/v1, channel routes included', () => {
    const served = listRoutes(app.router).filter((r) => r.path.startsWith('/api/v1/'))
      .map((r) => `${r.method.toUpperCase()} ${r.path.slice('/api/v1'.length).replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect(new Set(served).size).toBe(served.length);
    expect([...documented].sort()).toEqual([...served].sort());
    expect(served).toContain('POST /test-channel/{conversation}/messages');
    expect(served).toContain('GET /tickets/{number}');
    expect(served.length).toBeGreaterThan(20);
  });

  it('carries the schemas that validate: what the document forbids, the server refuses', async () => {
    const list = doc.paths['/tickets']!.get!;
    const status = list.parameters.find((p) => p.name === 'status')!;
    expect(status.schema.enum).toEqual([...TICKET_STATUSES]);
    const q = list.parameters.find((p) => p.name === 'q')!;
    const auth = { authorization: 'Bearer test-admin-token-0123456789' };
    const tooLong = await fetch(`${base}/api/v1/tickets?q=${'a'.repeat(Number(q.schema.maxLength) + 1)}`, { headers: auth });
    expect(tooLong.status).toBe(400);
    expect((await fetch(`${base}/api/v1/tickets?status=archived`, { headers: auth })).status).toBe(400);
    const patch = doc.paths['/tickets/{number}']!.patch! as Operation & { requestBody: { content: Record<string, { schema: { additionalProperties: boolean; properties: Record<string, unknown> } }> } };
    const body = patch.requestBody.content['application/json']!.schema;
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties).sort()).toEqual(['assigneeId', 'category', 'priority', 'status']);
    // Admin-only operations say so, and public ones need no credentials.
    expect((doc.paths['/agents']!.post as unknown as Record<string, unknown>)['x-required-role']).toBe('admin');
    expect(doc.paths['/auth/login']!.post!.security).toEqual([]);
  });
});
