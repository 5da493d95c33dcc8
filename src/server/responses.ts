/**
 * Response declarations shared by routes: the JSON body of a status, and the error statuses a
 * route of a given kind can answer. Every route lists every status it can answer (the OpenAPI
 * test sends real requests and fails on a status a route does not list).
 */
import type { RouteConfig, z } from '@hono/zod-openapi';
import { ErrorBody } from './schemas.js';

type Responses = RouteConfig['responses'];

export const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A required JSON request body. */
export const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'bad request: bad JSON, a wrong type, an unknown field, a bad id (the error names what and where)',
  401: 'no valid API key',
  404: 'not found in this workspace',
  409: "the run's status does not allow it, or it was answered already",
  413: 'body larger than the limit',
  415: 'body is not application/json',
  422: 'the flow is invalid (every problem with its path)',
  429: 'rate limited (see Retry-After)',
  431: 'request headers (with the URL) larger than the limit (16 KiB)',
  503: 'the server is shutting down, or its store or bus is unreachable',
};

/** The error statuses every route can answer (validation, auth, limits, shutdown). */
const COMMON = [400, 401, 413, 415, 429, 431, 503];

/** `ok` responses plus the common error statuses and `extra` ones, all with the Error body. */
export function responses(ok: Responses, extra: readonly number[] = []): Responses {
  const all: Responses = { ...ok };
  for (const status of [...COMMON, ...extra]) all[status] = json(ErrorBody, ERROR_DESCRIPTIONS[status] ?? 'error');
  return all;
}
