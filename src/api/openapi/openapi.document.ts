/**
 * The OpenAPI 3.1 document of /api/v1, generated from the route registry: the parameters and
 * bodies are the JSON Schemas (draft 2020-12, which 3.1 uses) of the very zod schemas that
 * validate the requests.
 */
import { z } from 'zod';
import type { MountedRoute } from './express-routes.ts';
import type { Access, RouteSpec } from './route-registry.ts';

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorSchema = {
  type: 'object', required: ['error'],
  properties: {
    error: { type: 'string', description: 'stable code, e.g. invalid_request, unauthorized, forbidden, not_found' },
    message: { type: 'string' },
    fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // The document declares its dialect once (OpenAPI 3.1 is JSON Schema 2020-12): no `$schema` per schema.
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** `/tickets/:number` -> `/tickets/{number}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parameters(route: RouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...propertySchema } = property;
      out.push({
        name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: propertySchema,
        ...(description ? { description } : {}),
      });
    }
  }
  return out;
}

const error = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_REF } } });

function errorResponses(route: RouteSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (route.params || route.query || route.body) out['400'] = error('Invalid request (code invalid_request)');
  const guarded: Access[] = ['agent', 'admin'];
  if (guarded.includes(route.access)) {
    out['401'] = error('No valid credentials (code unauthorized)');
    out['403'] = error(route.access === 'admin' ? 'Not an admin, or a cookie request without its CSRF token' : 'A cookie request without its CSRF token (code csrf_failed)');
  }
  if (route.params) out['404'] = error('Not found (code not_found)');
  return out;
}

/**
 * A route a channel mounted under /api/v1 (e.g. a chat or form endpoint) is not in the registry:
 * it is listed with its path parameters and a pointer to the channel's own documentation.
 */
function channelOperation(route: MountedRoute): Record<string, unknown> {
  const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  return {
    operationId: `channel_${route.method}_${route.path.replace(/[^A-Za-z0-9]+/g, '_')}`,
    summary: 'Mounted by a channel (its own checks; see the README of the channel)', tags: ['channels'], security: [],
    parameters: names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    responses: { default: { description: 'See the channel\'s documentation', content: { 'application/json': { schema: {} } } } },
  };
}

export function openApiDocument(
  routes: readonly RouteSpec[], info: { version: string; serverUrl: string }, channelRoutes: readonly MountedRoute[] = [],
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of channelRoutes) (paths[openApiPath(route.path)] ??= {})[route.method] = channelOperation(route);
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: jsonSchema(spec.schema, 'output') } } } : {}),
        ...(!spec.schema && spec.contentType ? { content: { [spec.contentType]: {} } } : {}),
      };
    }
    Object.assign(responses, errorResponses(route));
    (paths[openApiPath(route.path)] ??= {})[route.method] = {
      operationId: route.operationId, summary: route.summary, tags: [route.tag],
      security: route.access === 'public' ? [] : [{ bearerAuth: [] }, { sessionCookie: [], csrfHeader: [] }],
      'x-required-role': route.access === 'public' ? null : route.access,
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Help desk gateway API', version: info.version,
      description: 'Agent REST API. Authenticate with `Authorization: Bearer <personal API token or ADMIN_TOKEN>`, or with the console '
        + 'session cookie from POST /auth/login; a cookie-authenticated request that changes anything also sends the session\'s '
        + 'CSRF token in `X-CSRF-Token`.',
    },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A personal API token (hdp_…) or ADMIN_TOKEN' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'helpdesk_session' },
        csrfHeader: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      },
    },
  };
}
