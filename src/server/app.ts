/**
 * The HTTP API as a Hono app, built from the route table: every route gets the guard its scope
 * asks for (auth, workspace, rate limit), the same validation hook and the same error shape.
 * `createApi()` does no I/O of its own; `serve.ts` binds it to a port.
 */
import { randomUUID } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { RequestError } from '../errors.js';
import type { Runloom } from '../runloom.js';
import { DOCS_HTML } from './docs-page.js';
import { errorResponse } from './error-body.js';
import { createFollowTokens } from './follow-tokens.js';
import { type ApiKeys, createApiKeys, DEFAULT_WORKSPACE } from './keys.js';
import { createMetrics } from './metrics.js';
import type { Observed } from './observed-store.js';
import { createLimiter, type RateLimit } from './rate-limit.js';
import type { ApiDeps, ApiRoute, ApiVariables, Scope } from './route-table.js';
import { apiRoutes } from './routes/index.js';
import { createStreams } from './sse.js';
import { serveWebApp, webDistDir } from './web-app.js';

export interface ApiOptions {
  readonly runloom: Runloom;
  /**
   * `keys`: every route but the public ones needs a Bearer key. `open`: a request without a key
   * acts in the `default` workspace (loopback with the embedded store: zero set-up); a request
   * with a key is still checked.
   */
  readonly auth: 'keys' | 'open';
  /** Largest request body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Per key (or per client address without one), and on public routes per address. */
  readonly rateLimits?: { readonly perKey: RateLimit; readonly public: RateLimit };
  readonly logger: Logger;
  readonly relay?: boolean;
  /** The runloom's store as observed (observeStore): step and commit metrics. */
  readonly observed?: Observed;
  readonly routes?: readonly ApiRoute[];
}

export interface Api {
  readonly app: OpenAPIHono<{ Variables: ApiVariables }>;
  readonly deps: ApiDeps;
  readonly keys: ApiKeys;
  /** Refuses new requests (503) and ends the SSE streams with `event: shutdown`. */
  shutdown(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
const DEFAULT_LIMITS = { perKey: { burst: 2_000, perSecond: 1_000 }, public: { burst: 200, perSecond: 100 } };

const clientOf = (c: Context): string => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

export function createApi(options: ApiOptions): Api {
  const limits = options.rateLimits ?? DEFAULT_LIMITS;
  const keys = createApiKeys(options.runloom.store.apiKeys);
  const log = options.logger;
  let closing = false;
  const deps: ApiDeps = {
    runloom: options.runloom,
    keys,
    metrics: createMetrics(),
    streams: createStreams(),
    limiter: createLimiter(),
    followTokens: createFollowTokens(),
    relay: options.relay ?? false,
    observed: options.observed,
    shuttingDown: () => closing,
  };

  const app = new OpenAPIHono<{ Variables: ApiVariables }>({
    defaultHook(result) {
      if (result.success) return;
      const issues = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      }));
      const where = (result as { target?: string }).target ?? 'request';
      const text = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      throw new RequestError('BAD_REQUEST', `${where}: ${text}`, { details: { where, issues } });
    },
  });

  app.use('*', async (c, next) => {
    const started = performance.now();
    const requestId = randomUUID();
    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('workspace', DEFAULT_WORKSPACE);
    c.set('keyId', undefined);
    c.header('x-request-id', requestId);
    if (closing && c.req.path !== '/healthz') {
      c.header('connection', 'close');
      return c.json({ error: { code: 'SHUTTING_DOWN', message: 'the server is shutting down: retry on another' } }, 503);
    }
    await next();
    const ms = performance.now() - started;
    const route = c.req.routePath;
    deps.metrics.observe(route, c.req.method, c.res.status, ms);
    const entry = {
      reqId: requestId,
      method: c.req.method,
      route,
      status: c.res.status,
      ms: Math.round(ms * 10) / 10,
      workspace: c.get('workspace'),
      ...(c.req.param('runId') ? { runId: c.req.param('runId') } : {}),
      ...(c.get('keyId') ? { keyId: c.get('keyId') } : {}),
    };
    if (c.res.status >= 500) log.error(entry, 'request failed');
    else log.info(entry, 'request');
  });
  const maxBody = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const tooLarge = () => new RequestError('PAYLOAD_TOO_LARGE', `request body is larger than ${maxBody} bytes`);
  const measureBody = bodyLimit({
    maxSize: maxBody,
    onError: () => {
      throw tooLarge();
    },
  });
  app.use('*', (c, next) => {
    // Hono's bodyLimit reads `c.req.raw.body`, which makes @hono/node-server build a whole
    // Request (an AbortController, a web stream) for every request and leave its direct path
    // for JSON bodies: that was most of a GET's cost. The declared length is enough to refuse
    // (Node's parser reads no more than it); only a body of unknown length is measured as it streams.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return measureBody(c, next);
    if (Number(length) > maxBody) throw tooLarge();
    return next();
  });

  const guard = (scope: Scope, followToken = false): MiddlewareHandler<{ Variables: ApiVariables }> =>
    async function guard(c, next) {
      const header = c.req.header('authorization');
      let bucket = `ip:${clientOf(c)}`;
      let limit = scope === 'public' ? limits.public : limits.perKey;
      const token = followToken && header === undefined ? c.req.query('token') : undefined;
      if (token !== undefined) {
        // A follow token opens this run's stream only (the route checks the run is the token's workspace's).
        const workspace = deps.followTokens.verify(token, c.req.param('runId') ?? '', Date.now());
        if (workspace === undefined) {
          throw new RequestError('UNAUTHORIZED', 'the follow token is not valid for this run, or it expired: ask for a new one');
        }
        c.set('workspace', workspace);
      } else if (scope !== 'public') {
        if (header !== undefined) {
          const secret = /^Bearer ([\x21-\x7e]+)$/.exec(header)?.[1];
          const key = secret === undefined ? undefined : await keys.authenticate(secret);
          if (!key) throw new RequestError('UNAUTHORIZED', 'the API key is not valid (expected `Authorization: Bearer rlk_…`)');
          c.set('workspace', key.workspace);
          c.set('keyId', key.id);
          bucket = `key:${key.id}`;
        } else if (options.auth === 'keys') {
          throw new RequestError('UNAUTHORIZED', 'an API key is required: `Authorization: Bearer rlk_…`');
        }
        limit = limits.perKey;
      }
      const wait = deps.limiter.take(bucket, limit);
      if (wait > 0) {
        c.header('retry-after', String(wait));
        throw new RequestError('RATE_LIMITED', `too many requests: retry after ${wait}s`, { details: { retryAfter: wait } });
      }
      await next();
    };

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  for (const route of options.routes ?? apiRoutes) {
    const config = {
      ...route.config,
      ...(route.scope === 'public' ? {} : { security: [{ bearer: [] }] }),
      middleware: [guard(route.scope, route.followToken)],
    };
    app.openapi(config, route.handler as never);
  }

  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Runloom API',
      version: '1',
      description:
        'Flows, runs, events (with live follow over SSE) and keys. Errors are `{ error: { code, message, details } }`.',
    },
  });
  app.get('/docs', (c) => c.html(DOCS_HTML));
  serveWebApp(app, webDistDir());

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  app.onError((error, c) => {
    const { status, body } = errorResponse(error, c.get('requestId') ?? 'unknown');
    if (status >= 500) log.error({ reqId: c.get('requestId'), err: error }, 'unhandled error');
    // The rest of a body too large was never read: the connection cannot carry another request.
    if (status === 413) c.header('connection', 'close');
    return c.json(body, status as 400);
  });

  return {
    app,
    deps,
    keys,
    async shutdown() {
      closing = true;
      await deps.streams.closeAll();
    },
  };
}
