/**
 * Retention over HTTP: `GET /v1/runs/export` (NDJSON) and `POST /v1/runs/prune`, with the CLI's
 * cut-off rules, on a real SQLite file, each key seeing and pruning its own workspace only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_FLOW, openTwoWorkspaces, QUICK_FLOW, type TestServer } from './support.js';

let t: TestServer;
let alpha = '';
let beta = '';
const runs: Record<string, string> = {};

beforeAll(async () => {
  ({ t, alpha, beta } = await openTwoWorkspaces());
  for (const [name, key] of [
    ['alpha', alpha],
    ['beta', beta],
  ] as const) {
    await t.call('POST', '/v1/flows', { key, body: { flows: [{ flow: QUICK_FLOW }, { flow: APPROVAL_FLOW }] } });
    runs[name] = (await t.call('POST', '/v1/runs', { key, body: { flowId: 'quick', input: { n: 1 } } })).body.id;
    await t.runloom.runs.wait(runs[name]);
  }
  runs.waiting = (await t.call('POST', '/v1/runs', { key: alpha, body: { flowId: 'approval', input: { amount: 1 } } })).body.id;
  await new Promise((resolve) => setTimeout(resolve, 20));
});
afterAll(async () => {
  await t?.close();
});

describe('retention over HTTP', () => {
  it("exports the workspace's ended runs as NDJSON lines, as the CLI does", async () => {
    const response = await fetch(`${t.url}/v1/runs/export?before=${new Date().toISOString()}`, {
      headers: { authorization: `Bearer ${alpha}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.run.id)).toEqual([runs.alpha]);
    expect(lines[0]).toMatchObject({ run: { status: 'completed' }, state: { status: 'completed' } });
    expect(lines[0].events.at(-1).type).toBe('run.completed');
    expect(lines[0].steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['one']);
  });

  it('refuses a bad cut-off, naming it, before anything is sent or deleted', async () => {
    const bad = await t.call('GET', '/v1/runs/export?before=yesterday', { key: alpha });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("query.before 'yesterday'");
    const future = await t.call('POST', '/v1/runs/prune', { key: alpha, body: { before: '2999-01-01' } });
    expect(future.status).toBe(400);
    expect(future.body.error.message).toContain('body.before');
    const saved = process.env.RUNLOOM_RETENTION;
    delete process.env.RUNLOOM_RETENTION;
    try {
      const none = await t.call('POST', '/v1/runs/prune', { key: alpha, body: {} });
      expect(none.status).toBe(400);
      expect(none.body.error.message).toContain('RUNLOOM_RETENTION');
    } finally {
      if (saved !== undefined) process.env.RUNLOOM_RETENTION = saved;
    }
    const unknown = await t.call('POST', '/v1/runs/prune', { key: alpha, body: { before: '1ms', all: true } });
    expect(unknown.status).toBe(400);
    expect((await t.call('GET', `/v1/runs/${runs.alpha}`, { key: alpha })).status).toBe(200);
  });

  it("prunes the workspace's ended runs only: a dry run counts, then they go; others stay", async () => {
    const dry = await t.call('POST', '/v1/runs/prune', { key: alpha, body: { before: '1ms', dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.wouldPrune).toBe(1);
    expect((await t.call('GET', `/v1/runs/${runs.alpha}`, { key: alpha })).status).toBe(200);
    const pruned = await t.call('POST', '/v1/runs/prune', { key: alpha, body: { before: '1ms' } });
    expect(pruned.body).toMatchObject({ pruned: 1 });
    expect(typeof pruned.body.before).toBe('string');
    expect((await t.call('GET', `/v1/runs/${runs.alpha}`, { key: alpha })).status).toBe(404);
    // The waiting run of alpha, and beta's ended run, are still there.
    expect((await t.call('GET', `/v1/runs/${runs.waiting}`, { key: alpha })).body.status).toBe('waiting');
    expect((await t.call('GET', `/v1/runs/${runs.beta}`, { key: beta })).body.status).toBe('completed');
  });
});
