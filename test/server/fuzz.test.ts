/**
 * Malformed requests across every route (fast-check): bad JSON, wrong types, unknown fields,
 * huge and deep bodies, bad ids, path tricks, unicode, bad headers and queries. Every answer is
 * a 4xx the OpenAPI document lists for its route (or 404 off the table), the server keeps
 * serving, and the SQLite file holds exactly what it held before.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeys } from '../../src/server/keys.js';
import type { ApiRoute } from '../../src/server/route-table.js';
import { apiRoutes } from '../../src/server/routes/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type Documented, documented } from './openapi-doc.js';
import { routeName, sampleFor } from './route-samples.js';
import { APPROVAL_FLOW, openServer, QUICK_FLOW, type TestServer } from './support.js';

const RUNS = 2_100;
let t: TestServer;
let docs: Documented;
let key = '';
let runId = '';

const TABLES = ['runs', 'run_log', 'steps', 'timers', 'flows', 'flow_versions', 'api_keys'];
const contents = () => {
  const db = (t.runloom.store as SqliteStore).db;
  return TABLES.map((table) => JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all())).join('\n');
};

beforeAll(async () => {
  t = await openServer({
    requireKeys: true,
    rateLimits: { perKey: { burst: 1e6, perSecond: 1e6 }, public: { burst: 1e6, perSecond: 1e6 } },
    async prepare(runloom) {
      key = (await createApiKeys(runloom.store.apiKeys).create('default', 'fuzz')).secret;
    },
  });
  docs = documented((await t.call('GET', '/v1/openapi.json')).body);
  await t.call('POST', '/v1/flows', { key, body: { flows: [{ flow: APPROVAL_FLOW }, { flow: QUICK_FLOW }] } });
  runId = (await t.call('POST', '/v1/runs', { key, body: { flowId: 'approval', input: {} } })).body.id;
  await t.runloom.runs.wait((await t.call('POST', '/v1/runs', { key, body: { flowId: 'quick', input: {} } })).body.id);
});
afterAll(async () => {
  await t?.close();
});

const ascii = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const segment = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom('..', '%2e%2e', '..%2f..%2fetc', '%00', '%2F', 'run_%E2%80%AE', ' ', '%20', '\u00e9'),
  fc.constant('x'.repeat(5_000)),
  ascii.filter((s) => s.length > 0).map(encodeURIComponent),
);
/** Deep: 5,000 nested arrays. */
const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
/** A body the route's schema cannot accept: every request schema is strict, or not an object. */
const huge = JSON.stringify({ flowId: 'quick', input: 'x'.repeat(2_000_000) });
const badBody = fc.oneof(
  {
    arbitrary: fc.constantFrom('{', '{"a":', 'nul', '[1,]', '\u0000', '{"flowId":"quick"', deep, `{"flowId":${deep}}`, ''),
    weight: 4,
  },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 4 },
  {
    arbitrary: fc
      .jsonValue({ maxDepth: 4 })
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => JSON.stringify(v)),
    weight: 4,
  },
  {
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }))
      .map((v) => JSON.stringify({ ...v, 'zz-unknown': 1 })),
    weight: 4,
  },
  // Rare: sending 2 MB is most of this test's time.
  { arbitrary: fc.constant(huge), weight: 1 },
);
const header = fc.oneof(ascii, fc.constantFrom('', ' ', 'Bearer', 'Bearer ', 'bearer x', `Bearer ${'a'.repeat(9_000)}`));

interface Attempt {
  readonly route: ApiRoute;
  readonly params: readonly (string | undefined)[];
  readonly query: string | undefined;
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  readonly auth: string | undefined;
  readonly lastEventId: string | undefined;
  readonly idempotencyKey: string | undefined;
}

const attempt: fc.Arbitrary<Attempt> = fc.record({
  route: fc.constantFrom(...apiRoutes),
  params: fc.array(fc.option(segment, { nil: undefined }), { minLength: 3, maxLength: 3 }),
  query: fc.option(
    fc.oneof(ascii, fc.constantFrom('after=-1', 'limit=0', 'after=1e99', 'status=,,,', 'x=1', 'limit=abc', 'after=1&after=2')),
    {
      nil: undefined,
    },
  ),
  body: fc.option(badBody, { nil: undefined }),
  contentType: fc.option(
    fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data', 'x'),
    {
      nil: undefined,
    },
  ),
  auth: fc.option(fc.oneof(header, fc.constant('valid')), { nil: undefined }),
  lastEventId: fc.option(header, { nil: undefined }),
  idempotencyKey: fc.option(header, { nil: undefined }),
});

/** The path: each parameter a real id (so the body is what is wrong) or garbage. */
function pathOf(a: Attempt): string {
  const real = sampleFor(routeName(a.route.config), {
    runId,
    flowId: 'approval',
    version: 1,
    nodeId: 'review',
    keyId: 'key_nothing',
  });
  let i = 0;
  const hasBody = a.route.config.request?.body !== undefined;
  return (real?.path ?? a.route.config.path)
    .split('/')
    .map((part, index, parts) => {
      const template = a.route.config.path.split('/')[index];
      if (!template?.startsWith('{')) return part;
      const garbage = a.params[i++];
      // Without a body to be wrong, a real id would make a valid request (DELETE a key): garbage.
      return garbage ?? (hasBody || a.route.config.method === 'get' ? part : `${parts[index]}%00`);
    })
    .join('/');
}

describe('malformed requests', () => {
  it(`${RUNS} of them: no 5xx, only documented statuses, the store untouched`, async () => {
    const before = contents();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(attempt, async (a) => {
        const path = pathOf(a) + (a.query === undefined ? '' : `?${a.query}`);
        const method = a.route.config.method.toUpperCase();
        const hasBody = a.route.config.request?.body !== undefined;
        // A request this test could not tell from a valid one is made invalid: a wrong body.
        const body = hasBody ? (a.body ?? '{"zz-unknown":1}') : a.body;
        const headers: Record<string, string> = {};
        if (a.contentType) headers['content-type'] = a.contentType;
        if (a.auth) headers.authorization = a.auth === 'valid' ? `Bearer ${key}` : a.auth;
        if (a.lastEventId !== undefined) headers['last-event-id'] = a.lastEventId;
        if (a.idempotencyKey !== undefined) headers['idempotency-key'] = a.idempotencyKey;
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), 2_000);
        let status: number;
        try {
          const response = await fetch(`${t.url}${path}`, {
            method,
            headers,
            signal: abort.signal,
            ...(body === undefined || method === 'GET' ? {} : { body }),
          });
          status = response.status;
          // A follow that was let through streams until the run ends: its status is the answer.
          if (response.headers.get('content-type')?.startsWith('text/event-stream')) abort.abort();
          else await response.text();
        } catch (error) {
          // The server answers 413 before reading a huge body and closes: fetch then fails to send.
          if (body !== undefined && body.length > 1_000_000) return;
          throw error;
        } finally {
          clearTimeout(timer);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, `${method} ${path}`).toBeLessThan(500);
        const route = docs.routeOf(method, path);
        if (route) expect(docs.statusesOf(route), `${route} answered ${status}`).toContain(String(status));
        else expect(status).toBe(404);
      }),
      { numRuns: RUNS },
    );
    expect((await t.call('GET', '/healthz')).status).toBe(200);
    expect(contents()).toBe(before);
    // Not only one kind of refusal: validation, auth, media type, size and not-found all answered.
    for (const code of [400, 401, 404, 415]) expect(statuses.get(code) ?? 0, `status ${code}`).toBeGreaterThan(20);
  }, 300_000); // ~30 s alone; several times that on a loaded 2-core machine
});
