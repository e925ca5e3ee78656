/**
 * The one list of API routes: each entry mounts its route with its guard and zod validation, and
 * the same entry (with the same schemas) is what the OpenAPI document is generated from, so the
 * document cannot drift from what the server checks.
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { getPrincipal, type Principal } from '../principal.ts';

/** public: anyone; agent: any signed-in agent (or a token); admin: the admin role only. */
export type Access = 'public' | 'agent' | 'admin';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
}

export interface RouteContext<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  principal: Principal;
  req: Request;
  res: Response;
}

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express syntax, relative to /api/v1: `/tickets/:number`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Largest JSON body accepted (express.json's limit). */
  bodyLimit?: string;
  /** Success responses; the error responses are added from `access` and the schemas. */
  responses: Record<number, ResponseSpec>;
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown> | unknown;
}

/** `{error: <stable code>, message, fields?}` for every rejected request. */
export function invalidRequest(res: Response, error: z.ZodError): void {
  const fields = error.issues.map((i) => ({
    field: i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.'),
    message: i.message,
  }));
  res.status(400).json({ error: 'invalid_request', message: `${fields[0]?.field || 'request'}: ${fields[0]?.message ?? 'invalid'}`, fields });
}

export class ApiRegistry {
  readonly routes: RouteSpec[] = [];
  readonly router = Router();

  /** `guard(access)`: the middleware that authenticates and authorizes a route of that access. */
  constructor(private readonly guard: (access: Access) => RequestHandler[]) {}

  add<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(spec: RouteSpec<P, Q, B>): void {
    this.routes.push(spec as unknown as RouteSpec);
    const validate: RequestHandler = async (req, res) => {
      const parsed: Record<string, unknown> = {};
      for (const [part, schema, value] of [['params', spec.params, req.params], ['query', spec.query, req.query], ['body', spec.body, req.body ?? {}]] as const) {
        if (!schema) continue;
        const result = schema.safeParse(value);
        if (!result.success) return invalidRequest(res, result.error);
        parsed[part] = result.data;
      }
      await spec.handler({ ...(parsed as Pick<RouteContext<P, Q, B>, 'params' | 'query' | 'body'>), principal: getPrincipal(res), req, res });
    };
    const body = spec.body ? [express.json({ limit: spec.bodyLimit ?? '200kb' })] : [];
    this.router[spec.method](spec.path, ...this.guard(spec.access), ...body, validate);
  }
}
