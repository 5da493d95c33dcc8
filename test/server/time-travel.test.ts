/** Time travel and fork over real HTTP on loopback (SQLite file): state as of an event, fork, refusals. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVAL_FLOW, openServer, type TestServer } from './support.js';

let t: TestServer;
beforeAll(async () => {
  t = await openServer();
  await t.call('POST', '/v1/flows', { body: { flows: [{ flow: APPROVAL_FLOW }] } });
});
afterAll(async () => {
  await t?.close();
});

async function finishedRun(): Promise<{ id: string; signalSeq: number; lastSeq: number }> {
  const { body: run } = await t.call('POST', '/v1/runs', { body: { flowId: 'approval', input: { amount: 7 } } });
  await t.call('POST', `/v1/runs/${run.id}/signal`, { body: { name: 'approval', payload: { approved: true } } });
  await t.call('POST', `/v1/runs/${run.id}/nodes/review/input`, { body: { data: { ok: true } } });
  const { body } = await t.call('GET', `/v1/runs/${run.id}/events`);
  const events = body.events as { seq: number; type: string }[];
  const signal = events.find((e) => e.type === 'signal.received');
  return { id: run.id, signalSeq: signal?.seq ?? 0, lastSeq: events.at(-1)?.seq ?? 0 };
}

describe('state as of an event', () => {
  it('shows where the tokens stood and what had run, then and now', async () => {
    const run = await finishedRun();
    const then = await t.call('GET', `/v1/runs/${run.id}/state?at=${run.signalSeq - 1}`);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ status: 'waiting', reason: 'waiting_for_signal', vars: { prepared: { amount: 7 } } });
    expect(then.body.tokens).toEqual([expect.objectContaining({ nodeId: 'approve', status: 'waiting', waitingFor: 'signal' })]);
    expect(then.body.visits).toEqual({ prepare: 1, approve: 1 });
    expect(then.body.eventSeq).toBeLessThan(run.signalSeq);

    const now = await t.call('GET', `/v1/runs/${run.id}/state`);
    expect(now.body).toMatchObject({ status: 'completed', percent: 100, eventSeq: run.lastSeq, tokens: [] });
    expect(now.body.visits).toMatchObject({ prepare: 1, approve: 1, review: 1 });
    expect(now.body.visits.start).toBeUndefined();
  });

  it('refuses a bad seq and an unknown run', async () => {
    const run = await finishedRun();
    expect((await t.call('GET', `/v1/runs/${run.id}/state?at=0`)).status).toBe(400);
    const words = await t.call('GET', `/v1/runs/${run.id}/state?at=soon`);
    expect(words.status).toBe(400);
    expect(words.body.error.message).toMatch(/at/);
    expect((await t.call('GET', '/v1/runs/run_nope/state')).status).toBe(404);
  });
});

describe('fork', () => {
  it('starts a linked run from the state at an event; the rest runs again there', async () => {
    const run = await finishedRun();
    const forked = await t.call('POST', `/v1/runs/${run.id}/fork`, { body: { at: run.signalSeq } });
    expect(forked.status).toBe(201);
    expect(forked.body).toMatchObject({
      flowId: 'approval',
      status: 'waiting',
      forkOf: { runId: run.id, seq: run.signalSeq },
      waitingOn: [{ nodeId: 'review', waitingFor: 'callback' }],
    });
    await t.call('POST', `/v1/runs/${forked.body.id}/nodes/review/input`, { body: { data: { ok: false } } });
    const done = await t.runloom.runs.wait(forked.body.id);
    expect(done.vars).toMatchObject({ approval: { approved: true }, review: { ok: false } });
    expect((await t.call('GET', `/v1/runs/${run.id}`)).body.vars.review).toEqual({ ok: true });
  });

  it('refuses a fork at the end (409), outside the log or with a bad body (400)', async () => {
    const run = await finishedRun();
    const ended = await t.call('POST', `/v1/runs/${run.id}/fork`, { body: { at: run.lastSeq } });
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('RUN_STATUS');
    const outside = await t.call('POST', `/v1/runs/${run.id}/fork`, { body: { at: run.lastSeq + 5 } });
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toMatch(/not in its log/);
    expect((await t.call('POST', `/v1/runs/${run.id}/fork`, { body: { at: 'x' } })).status).toBe(400);
    expect((await t.call('POST', `/v1/runs/${run.id}/fork`, { body: { at: 2, extra: 1 } })).status).toBe(400);
  });
});
