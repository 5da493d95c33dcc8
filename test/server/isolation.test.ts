/**
 * Workspace isolation (F9.2), generated from the route table: every route is sent with a key of
 * workspace `beta` against the data of workspace `alpha`. Routes naming a run or a flow answer
 * 404 (as for an id that does not exist); the others never show alpha's ids; afterwards alpha's
 * data is exactly what it was. A route added later without its workspace check fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiKeyInfo, createApiKeys } from '../../src/server/keys.js';
import { apiRoutes } from '../../src/server/routes/index.js';
import { routeName, type SampleIds, sampleFor } from './route-samples.js';
import { APPROVAL_FLOW, openServer, QUICK_FLOW, type TestServer } from './support.js';

let t: TestServer;
let alpha: string;
let beta: string;
let ids: SampleIds;
const alphaIds: string[] = [];

/** Everything alpha can see, read with alpha's key. */
async function alphaView(): Promise<unknown> {
  const runs = (await t.call('GET', '/v1/runs?order=oldest', { key: alpha })).body.runs;
  const details = [];
  for (const run of runs) {
    details.push({
      run: (await t.call('GET', `/v1/runs/${run.id}`, { key: alpha })).body,
      events: (await t.call('GET', `/v1/runs/${run.id}/events`, { key: alpha })).body,
      steps: (await t.call('GET', `/v1/runs/${run.id}/steps`, { key: alpha })).body,
    });
  }
  return {
    runs,
    details,
    flows: (await t.call('GET', '/v1/flows', { key: alpha })).body,
    versions: (await t.call('GET', '/v1/flows/approval/versions/1', { key: alpha })).body,
    draft: (await t.call('GET', '/v1/flows/approval/draft', { key: alpha })).body,
    keys: (await t.call('GET', '/v1/keys', { key: alpha })).body,
    swarms: (await t.call('GET', '/v1/swarms', { key: alpha })).body,
  };
}

beforeAll(async () => {
  let a!: ApiKeyInfo & { secret: string };
  let b!: ApiKeyInfo & { secret: string };
  t = await openServer({
    requireKeys: true,
    runloom: { store: 'memory:' },
    async prepare(runloom) {
      const keys = createApiKeys(runloom.store.apiKeys);
      a = await keys.create('alpha', 'alpha key');
      b = await keys.create('beta', 'beta key');
    },
  });
  alpha = a.secret;
  beta = b.secret;
  expect(
    (await t.call('POST', '/v1/flows', { key: alpha, body: { flows: [{ flow: APPROVAL_FLOW }, { flow: QUICK_FLOW }] } })).status,
  ).toBe(201);
  await t.call('POST', '/v1/flows/drafts', { key: alpha, body: { flow: { id: 'approval', name: 'draft' } } });
  const waiting = (await t.call('POST', '/v1/runs', { key: alpha, body: { flowId: 'approval', input: { amount: 1 } } })).body;
  const done = (await t.call('POST', '/v1/runs', { key: alpha, body: { flowId: 'quick', input: { n: 1 } } })).body;
  await t.runloom.runs.wait(done.id);
  const swarm = (await t.call('POST', '/v1/swarms', { key: alpha, body: { file: 'goal: alpha goal\nbudget: 5\n' } })).body;
  ids = { runId: waiting.id, flowId: 'approval', version: 1, nodeId: 'approve', keyId: a.id, swarmId: swarm.id };
  alphaIds.push(waiting.id, done.id, a.id, swarm.id);
});
afterAll(async () => {
  await t?.close();
});

describe('a key of workspace beta against the data of workspace alpha', () => {
  it('reads nothing and changes nothing, on every route of the table', async () => {
    const before = await alphaView();
    for (const route of apiRoutes) {
      const name = routeName(route.config);
      const sample = sampleFor(name, ids);
      expect(sample, `route-samples.ts has no sample for ${name}`).toBeDefined();
      if (!sample || route.scope === 'public') continue;
      const reply = await t.call(route.config.method.toUpperCase(), sample.path, { key: beta, body: sample.body });
      if (route.config.path.includes('{')) {
        // Word for word the answer for ids that exist nowhere: nothing tells them apart.
        const ghost = sampleFor(name, {
          ...ids,
          runId: 'run_ghost',
          flowId: 'ghost',
          keyId: 'key_ghost',
          swarmId: 'swarm_ghost',
        }) as typeof sample;
        const unknown = await t.call(route.config.method.toUpperCase(), ghost.path, { key: beta, body: ghost.body });
        expect(reply.status, name).toBe(404);
        const named = JSON.stringify(reply.body)
          .replaceAll(ids.runId, 'run_ghost')
          .replaceAll(`'${ids.flowId}`, "'ghost")
          .replaceAll(ids.keyId, 'key_ghost')
          .replaceAll(ids.swarmId as string, 'swarm_ghost');
        expect(named, name).toBe(JSON.stringify(unknown.body));
      } else {
        const text = JSON.stringify(reply.body);
        for (const id of alphaIds) expect(text, `${name} shows alpha's ${id}`).not.toContain(id);
      }
    }
    expect(await alphaView()).toEqual(before);
  });

  it("follows none of alpha's runs over SSE, and says 404 before any stream starts", async () => {
    const response = await fetch(`${t.url}/v1/runs/${ids.runId}/events/follow`, { headers: { authorization: `Bearer ${beta}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('the same samples reach alpha with its own key (the 404s above are not for bad samples)', async () => {
    for (const route of apiRoutes) {
      if (route.scope !== 'run' && route.scope !== 'flow') continue;
      const sample = sampleFor(routeName(route.config), ids);
      if (!sample || route.config.path.endsWith('/follow')) continue;
      const reply = await t.call(route.config.method.toUpperCase(), sample.path, { key: alpha, body: sample.body });
      expect(reply.status, routeName(route.config)).not.toBe(404);
    }
  });

  it('refuses requests without a key, with a bad key and with a revoked key', async () => {
    expect((await t.call('GET', '/v1/runs')).status).toBe(401);
    expect((await t.call('GET', '/v1/runs', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    expect((await t.call('GET', '/v1/runs', { key: `${beta.slice(0, -2)}xx` })).status).toBe(401);
    const extra = await t.call('POST', '/v1/keys', { key: beta, body: { name: 'temp' } });
    expect(extra.status).toBe(201);
    expect(extra.body.workspace).toBe('beta');
    expect((await t.call('GET', '/v1/runs', { key: extra.body.secret })).status).toBe(200);
    const listed = await t.call('GET', '/v1/keys', { key: beta });
    expect(JSON.stringify(listed.body)).not.toContain(extra.body.secret);
    expect((await t.call('DELETE', `/v1/keys/${extra.body.id}`, { key: beta })).status).toBe(204);
    const revoked = await t.call('GET', '/v1/runs', { key: extra.body.secret });
    expect(revoked.status).toBe(401);
    expect(JSON.stringify(revoked.body)).not.toContain(extra.body.secret);
  });

  it("runs a subflow from its parent's workspace: the child and its flow are beta's", async () => {
    const child = (id: string, value: string) => ({
      format: 'runloom/v1',
      id,
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'mark', type: 'task', action: 'set', input: { from: value }, output: 'mark' },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'mark' },
        { from: 'mark', to: 'end' },
      ],
    });
    const parent = {
      format: 'runloom/v1',
      id: 'parent',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'call', type: 'subflow', flow: 'child', input: {}, output: 'called' },
        { id: 'end', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'call' },
        { from: 'call', to: 'end' },
      ],
    };
    expect((await t.call('POST', '/v1/flows', { key: alpha, body: { flows: [{ flow: child('child', 'alpha') }] } })).status).toBe(
      201,
    );
    const published = await t.call('POST', '/v1/flows', {
      key: beta,
      body: { flows: [{ flow: child('child', 'beta') }, { flow: parent }] },
    });
    expect(published.status).toBe(201);
    const run = await t.call('POST', '/v1/runs', { key: beta, body: { flowId: 'parent', input: {} } });
    const done = await t.runloom.runs.wait(run.body.id);
    expect(done.status).toBe('completed');
    expect(done.vars.called).toMatchObject({ mark: { from: 'beta' } });
    const children = (await t.call('GET', `/v1/runs?parentRunId=${run.body.id}`, { key: beta })).body.runs;
    expect(children).toHaveLength(1);
    expect(children[0].flowId).toBe('child');
    expect((await t.call('GET', `/v1/runs/${children[0].id}`, { key: alpha })).status).toBe(404);
  });

  it('keeps flow ids per workspace: beta publishes its own `approval` and runs it', async () => {
    expect(
      (
        await t.call('POST', '/v1/flows', {
          key: beta,
          body: { flows: [{ flow: QUICK_FLOW.replace('id: quick', 'id: approval') }] },
        })
      ).status,
    ).toBe(201);
    const run = await t.call('POST', '/v1/runs', { key: beta, body: { flowId: 'approval', input: { n: 2 } } });
    expect(run.status).toBe(201);
    expect((await t.runloom.runs.wait(run.body.id)).status).toBe('completed');
    const betaRuns = (await t.call('GET', '/v1/runs', { key: beta })).body.runs.map((r: { id: string }) => r.id);
    expect(betaRuns).toContain(run.body.id);
    for (const id of alphaIds) expect(betaRuns).not.toContain(id);
    expect((await t.call('GET', `/v1/runs/${run.body.id}`, { key: alpha })).status).toBe(404);
    expect((await t.call('GET', '/v1/flows/approval', { key: alpha })).body.version).toBe(1);
    expect((await t.call('GET', '/v1/flows/approval', { key: alpha })).body.definition.nodes.length).toBe(5);
  });
});
