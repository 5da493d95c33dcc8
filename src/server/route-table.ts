/**
 * The route table: every route of the API is one `ApiRoute` — its OpenAPI config (the zod
 * schemas that validate the request and document it), its scope, and its handler. The app, the
 * OpenAPI document, the fuzz test and the workspace-isolation test are all built from this one
 * list, so a later feature (AI steps, swarms, journeys) only adds entries.
 */
import type { RouteConfig, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Runloom } from '../runloom.js';
import type { FollowTokens } from './follow-tokens.js';
import type { ApiKeys } from './keys.js';
import type { ServerMetrics } from './metrics.js';
import type { Observed } from './observed-store.js';
import type { Limiter } from './rate-limit.js';
import type { Streams } from './sse.js';

/**
 * What a route touches, which decides how it is guarded:
 * - `public`: no key (health, the document, callbacks answered by capability token);
 * - `workspace`: the key's workspace (lists, creation);
 * - `run` / `flow`: one run / flow named in the path, which must be the key's workspace's —
 *   else 404, the same answer as an id that does not exist, so ids never leak.
 */
export type Scope = 'public' | 'workspace' | 'run' | 'flow';

export interface ApiDeps {
  readonly runloom: Runloom;
  readonly keys: ApiKeys;
  readonly metrics: ServerMetrics;
  readonly streams: Streams;
  readonly limiter: Limiter;
  /** Relay mode: steps run in `runloom worker` processes, never here. */
  readonly relay: boolean;
  /** Step and commit counters of the store this process commits through, when it is watched. */
  readonly observed: Observed | undefined;
  readonly followTokens: FollowTokens;
  /** True once SIGTERM arrived: new requests get 503, readiness fails. */
  readonly shuttingDown: () => boolean;
}

export interface ApiVariables {
  deps: ApiDeps;
  workspace: string;
  requestId: string;
  keyId: string | undefined;
}

export type ApiContext = Context<{ Variables: ApiVariables }>;

export interface ApiRoute {
  readonly config: RouteConfig;
  readonly scope: Scope;
  readonly handler: (c: ApiContext) => Response | Promise<Response>;
  /** A `run` route that also opens with a follow token (`?token=`) instead of a key (follow-tokens.ts). */
  readonly followToken?: boolean;
}

export const defineRoute = (route: ApiRoute): ApiRoute => route;

/** The validated part of a request, typed by the schema that validated it. */
export function valid<S extends z.ZodType>(
  c: ApiContext,
  target: 'json' | 'query' | 'param' | 'header',
  _schema: S,
): z.output<S> {
  return c.req.valid(target as never) as z.output<S>;
}
