/** The API over real HTTP on loopback, on a SQLite file: flows, runs, controls, events, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_FLOW, openServer, postLarge, QUICK_FLOW, type TestServer } from './support.js';

let t: TestServer;
beforeAll(async () => {
  t = await openServer();
});
afterAll(async () => {
  await t?.close();
});

describe('flows', () => {
  it('validates without saving, naming every problem', async () => {
    const bad = await t.call('POST', '/v1/flows/validate', { body: { flow: 'format: runloom/v1\nid: x\nnodes: []\nedges: []' } });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.problems.length).toBeGreaterThan(0);
    expect((await t.call('GET', '/v1/flows/x')).status).toBe(404);
  });

  it('publishes, lists and shows versions', async () => {
    const published = await t.call('POST', '/v1/flows', { body: { flows: [{ flow: APPROVAL_FLOW }, { flow: QUICK_FLOW }] } });
    expect(published.status).toBe(201);
    expect(published.body.flows.map((f: { flowId: string }) => f.flowId)).toEqual(['approval', 'quick']);
    const list = await t.call('GET', '/v1/flows');
    expect(list.body.flows.map((f: { flowId: string }) => f.flowId)).toEqual(['approval', 'quick']);
    const shown = await t.call('GET', '/v1/flows/quick/versions/1');
    expect(shown.status).toBe(200);
    expect(shown.body.definition.id).toBe('quick');
    expect((await t.call('GET', '/v1/flows/quick/versions/2')).status).toBe(404);
  });

  it('refuses an invalid flow with 422 and every problem, storing nothing', async () => {
    const reply = await t.call('POST', '/v1/flows', {
      body: {
        flows: [{ flow: QUICK_FLOW.replace('id: quick', 'id: quick2') }, { flow: '{"format":"runloom/v1","id":"broken"}' }],
      },
    });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('FLOW_INVALID');
    expect(reply.body.error.details.problems.length).toBeGreaterThan(0);
    expect((await t.call('GET', '/v1/flows/quick2')).status).toBe(404);
  });

  it('keeps drafts apart from versions', async () => {
    const saved = await t.call('POST', '/v1/flows/drafts', { body: { flow: { id: 'sketch', format: 'runloom/v1' } } });
    expect(saved.status).toBe(200);
    expect((await t.call('GET', '/v1/flows/sketch/draft')).body.definition).toEqual({ id: 'sketch', format: 'runloom/v1' });
    expect((await t.call('GET', '/v1/flows/sketch')).status).toBe(404);
  });
});

describe('runs', () => {
  it('starts, signals, takes human input and completes; steps and events read back', async () => {
    const started = await t.call('POST', '/v1/runs', { body: { flowId: 'approval', input: { amount: 5 } } });
    expect(started.status).toBe(201);
    const id = started.body.id;
    expect(started.body.status).toBe('waiting');
    expect(started.body.waitingOn).toEqual([{ nodeId: 'approve', waitingFor: 'signal', signal: 'approval' }]);

    const signalled = await t.call('POST', `/v1/runs/${id}/signal`, { body: { name: 'approval', payload: { approved: true } } });
    expect(signalled.status).toBe(200);
    expect(signalled.body.waitingOn[0].nodeId).toBe('review');

    const wrong = await t.call('POST', `/v1/runs/${id}/nodes/review/input`, { body: { data: { ok: 'yes' } } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('INPUT_INVALID');

    const answered = await t.call('POST', `/v1/runs/${id}/nodes/review/input`, { body: { data: { ok: true } } });
    expect(answered.status).toBe(200);
    const done = await t.runloom.runs.wait(id);
    expect(done.status).toBe('completed');
    expect(done.vars).toMatchObject({ prepared: { amount: 5 }, approval: { approved: true }, review: { ok: true } });

    const again = await t.call('POST', `/v1/runs/${id}/nodes/review/input`, { body: { data: { ok: true } } });
    expect(again.status).toBe(409);

    const steps = await t.call('GET', `/v1/runs/${id}/steps`);
    expect(steps.body.steps.map((s: { nodeId: string }) => s.nodeId)).toContain('prepare');
    const events = await t.call('GET', `/v1/runs/${id}/events?after=2&limit=3`);
    expect(events.body.events.map((e: { seq: number }) => e.seq)).toEqual([3, 4, 5]);
    const shown = await t.call('GET', `/v1/runs/${id}`);
    expect(shown.body.status).toBe('completed');
    expect(shown.body.progress.percent).toBe(100);
  });

  it('completes or fails a wait node by callback', async () => {
    const { body: run } = await t.call('POST', '/v1/runs', { body: { flowId: 'approval', input: { amount: 1 } } });
    await t.call('POST', `/v1/runs/${run.id}/signal`, { body: { name: 'approval' } });
    const failed = await t.call('POST', `/v1/runs/${run.id}/nodes/review/callback`, {
      body: { status: 'failed', error: { code: 'DECLINED', message: 'no' } },
    });
    expect(failed.status).toBe(200);
    expect(failed.body.status).toBe('failed');
    expect(failed.body.error.code).toBe('DECLINED');
  });

  it('returns the same run for the same Idempotency-Key, also when sent at once', async () => {
    const send = () =>
      t.call('POST', '/v1/runs', { body: { flowId: 'quick', input: { n: 1 } }, headers: { 'idempotency-key': 'order-77' } });
    const replies = await Promise.all([send(), send(), send()]);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const later = await send();
    expect(later.status).toBe(200);
    expect(later.body.id).toBe(replies[0].body.id);
    const other = await t.call('POST', '/v1/runs', {
      body: { flowId: 'quick', input: { n: 1 } },
      headers: { 'idempotency-key': 'order-78' },
    });
    expect(other.body.id).not.toBe(replies[0].body.id);
  });

  it('pauses, refuses what the status does not allow, resumes and cancels', async () => {
    const { body: run } = await t.call('POST', '/v1/runs', { body: { flowId: 'approval', input: {} } });
    expect((await t.call('POST', `/v1/runs/${run.id}/pause`, { body: { by: 'ada' } })).body.status).toBe('paused');
    expect((await t.call('POST', `/v1/runs/${run.id}/resume`, { body: {} })).body.status).toBe('waiting');
    const cancelled = await t.call('POST', `/v1/runs/${run.id}/cancel`, { body: {} });
    expect(cancelled.body.status).toBe('cancelled');
    const refused = await t.call('POST', `/v1/runs/${run.id}/resume`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('RUN_STATUS');
  });

  it('lists runs filtered by status and flow', async () => {
    const waiting = await t.call('GET', '/v1/runs?status=waiting,paused&flowId=approval');
    expect(waiting.status).toBe(200);
    for (const run of waiting.body.runs) expect(run.flowId).toBe('approval');
    const all: string[] = [];
    let page = await t.call('GET', '/v1/runs?limit=2&order=oldest');
    for (; page.body.nextCursor; page = await t.call('GET', `/v1/runs?limit=2&order=oldest&cursor=${page.body.nextCursor}`)) {
      expect(page.body.runs.length).toBe(2);
      all.push(...page.body.runs.map((r: { id: string }) => r.id));
    }
    all.push(...page.body.runs.map((r: { id: string }) => r.id));
    const everything = (await t.call('GET', '/v1/runs?order=oldest')).body.runs.map((r: { id: string }) => r.id);
    expect(all).toEqual(everything);
    expect(everything.length).toBeGreaterThan(4);
    const first = (await t.call('GET', '/v1/runs?order=oldest&limit=1')).body.runs[0];
    const later = await t.call('GET', `/v1/runs?createdFrom=${first.createdAt + 1}`);
    expect(later.body.runs.map((r: { id: string }) => r.id)).not.toContain(first.id);
    expect((await t.call('GET', '/v1/runs?cursor=bm9wZQ')).body.error.message).toContain('not a cursor');
    const bad = await t.call('GET', '/v1/runs?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("unknown status 'sleeping'");
  });
});

describe('errors', () => {
  it('answers every bad request with the one error shape, naming what and where', async () => {
    const badJson = await t.call('POST', '/v1/runs', { raw: '{"flowId":', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('BAD_JSON');
    const unknownField = await t.call('POST', '/v1/runs', { body: { flowId: 'quick', inptu: {} } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toContain('inptu');
    const wrongType = await t.call('POST', '/v1/runs', { body: { flowId: 42 } });
    expect(wrongType.body.error.message).toMatch(/^json: flowId/);
    const noFlow = await t.call('POST', '/v1/runs', { body: { flowId: 'ghost' } });
    expect(noFlow.status).toBe(404);
    const badId = await t.call('GET', '/v1/runs/..%2F..%2Fetc');
    expect(badId.status).toBe(400);
    const huge = await postLarge(t.url, '/v1/flows/validate', JSON.stringify({ flow: 'x'.repeat(1_100_000) }));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const form = await t.call('POST', '/v1/runs', { raw: 'a=1', headers: { 'content-type': 'text/plain' } });
    expect(form.status).toBe(415);
    const noRoute = await t.call('GET', '/v1/nothing');
    expect(noRoute.status).toBe(404);
    expect(noRoute.body.error.code).toBe('NOT_FOUND');
  });
});

describe('system', () => {
  it('answers health, readiness and metrics', async () => {
    expect((await t.call('GET', '/healthz')).body).toEqual({ ok: true });
    expect((await t.call('GET', '/readyz')).body).toMatchObject({ ok: true, checks: { store: 'ok', bus: 'ok' } });
    const metrics = await t.call('GET', '/metrics');
    expect(metrics.body).toMatch(/runloom_runs\{status="completed"\} [1-9]/);
    expect(metrics.body).toMatch(/runloom_steps_total\{event="completed"\} [1-9]/);
    expect(metrics.body).toMatch(/runloom_steps_total\{event="started"\} [1-9]/);
    expect(metrics.body).toMatch(/runloom_step_duration_seconds_count [1-9]/);
    expect(metrics.body).toMatch(/runloom_commit_duration_seconds_count [1-9]/);
    expect(metrics.body).toMatch(/runloom_http_requests_total\{method="POST",route="\/v1\/runs",status="201"\} \d+/);
    const docs = await t.call('GET', '/docs');
    expect(docs.body).toContain('/v1/openapi.json');
  });
});
