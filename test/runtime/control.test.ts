/** Controls through the API (F2.9, F2.11) and input refused at the boundary with nothing stored (F9.1). */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { closeAll, isWaiting, linearFlow, openRunloom, STORE_KINDS, sleep } from './support.js';

/** Blocks until its step is aborted; tells the test when it started and when its signal fired. */
function blockingAction(seen: { started: number; aborted: number; reason?: unknown }) {
  return defineAction({
    name: 'test.block',
    input: z.object({}),
    run(_input, ctx) {
      seen.started++;
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          seen.aborted++;
          seen.reason = ctx.signal.reason;
          reject(new Error('aborted'));
        });
      });
    },
  });
}

const approvalFlow = linearFlow('approval', [
  {
    id: 'approval',
    type: 'wait',
    signal: 'approval',
    schema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] },
    output: 'approval',
  },
]);

afterEach(closeAll);

describe.each(STORE_KINDS)('controls (%s store)', (kind) => {
  it('cancelling a run aborts its in-flight step', async () => {
    const seen = { started: 0, aborted: 0 };
    const runloom = await openRunloom(kind, [blockingAction(seen)]);
    await runloom.flows.publish(linearFlow('blocked', [{ id: 'block', type: 'task', action: 'test.block', input: {} }]));
    const run = await runloom.runs.start('blocked', {});
    while (seen.started === 0) await sleep(5);
    expect(seen.aborted).toBe(0);

    const cancelled = await runloom.runs.cancel(run.id, 'tester');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.reason).toBe('user_cancelled');
    expect(seen.aborted).toBe(1);
    await sleep(20); // the aborted step's late rejection must not change anything
    expect((await runloom.runs.get(run.id)).status).toBe('cancelled');
    expect((await runloom.runs.steps(run.id)).map((r) => [r.nodeId, r.status])).toEqual([['block', 'cancelled']]);
    const types = (await runloom.runs.events(run.id)).map((e) => e.type);
    expect(types.at(-1)).toBe('run.cancelled');
    expect(types).not.toContain('step.failed');
    // Idempotent: cancelling again changes nothing.
    const events = (await runloom.runs.events(run.id)).length;
    expect((await runloom.runs.cancel(run.id)).status).toBe('cancelled');
    expect(await runloom.runs.events(run.id)).toHaveLength(events);
  });

  it('a waiter whose condition throws fails alone: the commit that called it, and the run, go on', async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish(approvalFlow);
    const run = await runloom.runs.start('approval', {});
    await runloom.runs.wait(run.id, isWaiting);
    const picky = runloom.runs.wait(run.id, (state) => {
      if (state.status === 'completed') throw new Error('cannot judge a finished run');
      return false;
    });
    // Its condition throws inside the commit of the signal's transition.
    const signalled = await runloom.runs.signal(run.id, 'approval', { approved: true });
    expect(signalled.status).toBe('completed');
    await expect(picky).rejects.toThrow('cannot judge a finished run');
    const done = await runloom.runs.wait(run.id);
    expect(done.vars).toEqual({ approval: { approved: true } });
    expect((await runloom.runs.events(run.id)).at(-1)?.type).toBe('run.completed');
  });

  it('a callback resolves a wait through the API', async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish(
      linearFlow('hook', [
        {
          id: 'remote',
          type: 'wait',
          schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
          output: 'remote',
        },
      ]),
    );
    const run = await runloom.runs.start('hook', {});
    const waiting = await runloom.runs.wait(run.id, isWaiting);
    expect(waiting.waitingOn).toEqual([{ nodeId: 'remote', waitingFor: 'callback' }]);

    const before = (await runloom.runs.events(run.id)).length;
    await expect(runloom.runs.callback(run.id, 'remote', { status: 'completed', output: { nope: 1 } })).rejects.toMatchObject({
      code: 'INPUT_INVALID',
    });
    await expect(runloom.runs.callback(run.id, 'elsewhere', { status: 'completed', output: { ok: 1 } })).rejects.toMatchObject({
      code: 'NOT_WAITING',
    });
    expect(await runloom.runs.events(run.id)).toHaveLength(before);

    await runloom.runs.callback(run.id, 'remote', { status: 'completed', output: { ok: true } });
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ remote: { ok: true } });
  });

  it('a failed callback fails the step', async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish(linearFlow('hook-fail', [{ id: 'remote', type: 'wait' }]));
    const run = await runloom.runs.start('hook-fail', {});
    await runloom.runs.wait(run.id, isWaiting);
    await runloom.runs.callback(run.id, 'remote', {
      status: 'failed',
      error: { code: 'REMOTE_DOWN', message: 'remote said no' },
    });
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'REMOTE_DOWN' });
  });

  it('a manual decision is made through the API and recorded', async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish({
      format: 'runloom/v1',
      id: 'choose',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'pick', type: 'decision', mode: 'manual' },
        { id: 'left', type: 'end' },
        { id: 'right', type: 'end' },
      ],
      edges: [
        { from: 'start', to: 'pick' },
        { from: 'pick', to: 'left', default: true },
        { from: 'pick', to: 'right', when: 'false' },
      ],
    });
    const run = await runloom.runs.start('choose', {});
    const waiting = await runloom.runs.wait(run.id, isWaiting);
    expect(waiting.reason).toBe('waiting_for_decision');
    expect(waiting.waitingOn).toEqual([{ nodeId: 'pick', waitingFor: 'decision', options: ['left', 'right'] }]);

    await expect(runloom.runs.decide(run.id, 'pick', 'nowhere')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await runloom.runs.decide(run.id, 'pick', 'right', { by: 'ada', reason: 'looks right' });
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    const state = await runloom.runs.state(run.id);
    expect(state.steps.pick.output).toEqual({ to: 'right', by: 'ada', reason: 'looks right' });
    const made = (await runloom.runs.events(run.id)).filter((e) => e.type === 'decision.made');
    expect(made).toHaveLength(1);
    expect(made[0].data).toMatchObject({ nodeId: 'pick', to: 'right', by: 'ada' });
    // Never asked twice: deciding again is refused.
    await expect(runloom.runs.decide(run.id, 'pick', 'left')).rejects.toMatchObject({ code: 'RUN_STATUS' });
  });

  it('refuses a signal whose payload breaks the wait’s schema, storing nothing', async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish(approvalFlow);
    const run = await runloom.runs.start('approval', {});
    await runloom.runs.wait(run.id, isWaiting);
    const events = await runloom.runs.events(run.id);
    const state = await runloom.runs.state(run.id);
    const commits = runloom.calls.commits;

    await expect(runloom.runs.signal(run.id, 'approval', { approved: 'yes' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(runloom.runs.signal(run.id, 'approval')).rejects.toMatchObject({ code: 'INPUT_INVALID' });

    expect(runloom.calls.commits).toBe(commits);
    expect(await runloom.runs.events(run.id)).toEqual(events);
    expect(await runloom.runs.state(run.id)).toEqual(state);
    // Still waiting, and a good payload goes through.
    await runloom.runs.signal(run.id, 'approval', { approved: true });
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ approval: { approved: true } });
  });

  it('refuses invalid run input with INPUT_INVALID and creates no run', async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish(
      linearFlow('typed', [{ id: 'gate', type: 'wait', signal: 'go' }], {
        inputs: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
      }),
    );
    const commits = runloom.calls.commits;
    await expect(runloom.runs.start('typed', {})).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    await expect(runloom.runs.start('typed', { email: 42 })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    expect(runloom.calls.commits).toBe(commits);
    expect(await runloom.runs.list()).toEqual([]);

    const ok = await runloom.runs.start('typed', { email: 'a@b.co' });
    expect((await runloom.runs.list()).map((r) => r.id)).toEqual([ok.id]);
  });

  it('refuses controls the run’s status does not allow', async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish(approvalFlow);
    const run = await runloom.runs.start('approval', {});
    await runloom.runs.wait(run.id, isWaiting);
    await runloom.runs.signal(run.id, 'approval', { approved: false });
    await runloom.runs.wait(run.id);
    await expect(runloom.runs.signal(run.id, 'approval', { approved: true })).rejects.toMatchObject({ code: 'RUN_STATUS' });
    await expect(runloom.runs.pause(run.id)).rejects.toMatchObject({ code: 'RUN_STATUS' });
    await expect(runloom.runs.cancel(run.id)).rejects.toMatchObject({ code: 'RUN_STATUS' });
    await expect(runloom.runs.signal('run_missing', 'approval', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
