/**
 * The OpenAPI document is generated from the route table's own schemas: every route is in it,
 * and every status a route answers — to valid samples, to another workspace's key, to no key —
 * is one the document lists for that route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeys } from '../../src/server/keys.js';
import { apiRoutes } from '../../src/server/routes/index.js';
import { type Documented, documented } from './openapi-doc.js';
import { routeName, sampleFor } from './route-samples.js';
import { APPROVAL_FLOW, type Json, openServer, type TestServer } from './support.js';

let t: TestServer;
let doc: Json;
let docs: Documented;
let key = '';
let other = '';

beforeAll(async () => {
  t = await openServer({
    requireKeys: true,
    runloom: { store: 'memory:' },
    async prepare(runloom) {
      const keys = createApiKeys(runloom.store.apiKeys);
      key = (await keys.create('default', 'test')).secret;
      other = (await keys.create('other', 'test')).secret;
    },
  });
  doc = (await t.call('GET', '/v1/openapi.json')).body;
  docs = documented(doc);
});
afterAll(async () => {
  await t?.close();
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with every route of the table, its parameters and its security', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of apiRoutes) {
      const operation = doc.paths[route.config.path]?.[route.config.method];
      expect(operation, `${routeName(route.config)} is not in the document`).toBeDefined();
      for (const param of route.config.path.match(/\{([^}]+)\}/g) ?? []) {
        const name = param.slice(1, -1);
        expect(operation.parameters.some((p: { name: string; in: string }) => p.name === name && p.in === 'path')).toBe(true);
      }
      expect(Boolean(operation.security), routeName(route.config)).toBe(route.scope !== 'public');
    }
    expect(doc.components.schemas.Error.properties.error).toBeDefined();
    expect(doc.paths['/v1/runs'].post.parameters.some((p: { name: string }) => p.name === 'Idempotency-Key')).toBe(true);
  });

  it('lists every status the routes answer (valid samples, another workspace, no key)', async () => {
    await t.call('POST', '/v1/flows', { key, body: { flows: [{ flow: APPROVAL_FLOW }] } });
    const run = (await t.call('POST', '/v1/runs', { key, body: { flowId: 'approval', input: {} } })).body;
    const { id: keyId } = (await t.call('POST', '/v1/keys', { key, body: { name: 'to revoke' } })).body;
    const swarm = (await t.call('POST', '/v1/swarms', { key, body: { file: 'goal: g\nbudget: 5\n' } })).body;
    const ids = { runId: run.id, flowId: 'approval', version: 1, nodeId: 'review', keyId, swarmId: swarm.id };
    const seen = new Set<string>();
    for (const route of apiRoutes) {
      const name = routeName(route.config);
      const sample = sampleFor(name, ids);
      expect(sample, `route-samples.ts has no sample for ${name}`).toBeDefined();
      if (!sample || name.endsWith('/follow')) continue;
      for (const caller of [key, other, undefined]) {
        const reply = await t.call(route.config.method.toUpperCase(), sample.path, { key: caller, body: sample.body });
        expect(docs.routeOf(route.config.method, sample.path)).toBe(name);
        expect(docs.statusesOf(name), `${name} answered ${reply.status}: ${JSON.stringify(reply.body)}`).toContain(
          String(reply.status),
        );
        expect(reply.status, `${name}: ${JSON.stringify(reply.body)}`).toBeLessThan(500);
        seen.add(`${name} ${reply.status}`);
      }
    }
    // The samples did reach the handlers: successes across the table, not only refusals.
    expect([...seen].filter((s) => / 2\d\d$/.test(s)).length).toBeGreaterThanOrEqual(15);
  });

  it('serves a docs page that reads the document', async () => {
    const page = await t.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain("fetch('/v1/openapi.json')");
  });
});
