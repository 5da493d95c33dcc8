/** Time travel and fork (F7.4): the state as of an event, and a new run from there that goes on by itself. */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { closeAll, isWaiting, linearFlow, openRunloom, STORE_KINDS, sleep } from './support.js';

/** Counts its calls by run, so that a test sees which run did a step again. */
function countingAction(calls: Map<string, number>) {
  return defineAction({
    name: 'test.count',
    input: z.object({ n: z.number() }),
    run(input, ctx) {
      const runId = ctx.idempotencyKey.split(':')[0];
      calls.set(runId, (calls.get(runId) ?? 0) + 1);
      return { doubled: input.n * 2 };
    },
  });
}

const approvalFlow = linearFlow(
  'fork-me',
  [
    { id: 'first', type: 'task', action: 'test.count', input: { n: '=input.n' }, output: 'first' },
    { id: 'approval', type: 'wait', signal: 'approval', output: 'approval' },
    { id: 'second', type: 'task', action: 'test.count', input: { n: '=vars.first.doubled' }, output: 'second' },
  ],
  { output: '={ "result": vars.second.doubled, "by": vars.approval.by }' },
);

afterEach(closeAll);

describe.each(STORE_KINDS)('fork (%s store)', (kind) => {
  it('forks a finished run at its wait: the copy waits there, takes its own answer, the original is untouched', async () => {
    const calls = new Map<string, number>();
    const runloom = await openRunloom(kind, [countingAction(calls)]);
    await runloom.flows.publish(approvalFlow);
    const run = await runloom.runs.start('fork-me', { n: 3 });
    await runloom.runs.wait(run.id, isWaiting);
    await runloom.runs.signal(run.id, 'approval', { by: 'Ada' });
    const done = await runloom.runs.wait(run.id);
    expect(done.output).toEqual({ result: 12, by: 'Ada' });

    const log = await runloom.runs.events(run.id);
    const signal = log.find((e) => e.type === 'signal.received');
    if (!signal) throw new Error('no signal in the log');
    const waitingAt = signal.seq - 1;
    const past = await runloom.runs.stateAt(run.id, waitingAt);
    expect(past.status).toBe('waiting');
    expect(past.vars).toEqual({ first: { doubled: 6 } });

    const fork = await runloom.runs.fork(run.id, waitingAt);
    expect(fork.id).not.toBe(run.id);
    expect(fork.forkOf).toEqual({ runId: run.id, seq: waitingAt });
    expect(fork.status).toBe('waiting');
    expect(fork.waitingOn.map((w) => w.nodeId)).toEqual(['approval']);
    const copied = await runloom.runs.events(fork.id);
    expect(copied).toEqual(log.slice(0, copied.length));
    expect(copied.at(-1)?.seq).toBeGreaterThanOrEqual(waitingAt);

    await runloom.runs.signal(fork.id, 'approval', { by: 'Grace' });
    const forkDone = await runloom.runs.wait(fork.id);
    expect(forkDone.output).toEqual({ result: 12, by: 'Grace' });
    expect((await runloom.runs.get(run.id)).output).toEqual({ result: 12, by: 'Ada' });
    // The fork re-ran only what came after the fork point.
    expect(calls.get(fork.id)).toBe(1);
  });

  it('forking where a step was in flight runs that step again in the fork', async () => {
    const calls = new Map<string, number>();
    const runloom = await openRunloom(kind, [countingAction(calls)]);
    await runloom.flows.publish(approvalFlow);
    const run = await runloom.runs.start('fork-me', { n: 5 });
    await runloom.runs.wait(run.id, isWaiting);
    const log = await runloom.runs.events(run.id);
    const started = log.find((e) => e.type === 'run.started');
    if (!started) throw new Error('no run.started in the log');
    const fork = await runloom.runs.fork(run.id, started.seq);
    const parked = await runloom.runs.wait(fork.id, isWaiting);
    expect(parked.vars).toEqual({ first: { doubled: 10 } });
    expect(calls.get(fork.id)).toBe(1);
    expect((await runloom.runs.steps(fork.id)).map((s) => s.nodeId)).toEqual(['first']);
  });

  it('refuses a fork after the end or outside the log, with nothing stored', async () => {
    const calls = new Map<string, number>();
    const runloom = await openRunloom(kind, [countingAction(calls)]);
    await runloom.flows.publish(approvalFlow);
    const run = await runloom.runs.start('fork-me', { n: 1 });
    await runloom.runs.wait(run.id, isWaiting);
    await runloom.runs.signal(run.id, 'approval', { by: 'Ada' });
    await runloom.runs.wait(run.id);
    const last = (await runloom.runs.events(run.id)).at(-1)?.seq ?? 0;
    const before = (await runloom.runs.list()).length;
    await expect(runloom.runs.fork(run.id, last)).rejects.toMatchObject({ code: 'RUN_STATUS' });
    await expect(runloom.runs.fork(run.id, last + 1)).rejects.toThrow(/not in its log/);
    await expect(runloom.runs.fork(run.id, 0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(runloom.runs.fork('run_nope', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await sleep(10);
    expect((await runloom.runs.list()).length).toBe(before);
  });
});
