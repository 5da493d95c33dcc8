import { describe, expect, it } from 'vitest';
import { failure, flow, HOLD, refusal, startRun } from './driver.js';

const steps = flow(
  `
format: runloom/v1
id: control
inputs: { type: object, properties: { n: { type: number } } }
nodes:
  - { id: start, type: start }
  - { id: a, type: task, action: work }
  - { id: hold, type: wait, signal: go }
  - { id: b, type: task, action: work }
  - { id: done, type: end }
edges: [{ from: start, to: a }, { from: a, to: hold }, { from: hold, to: b }, { from: b, to: done }]
`,
  { work: () => HOLD },
);

describe('controls: pause, resume, cancel, retry', () => {
  it('run.started twice and an input that fails the schema are refused', () => {
    const run = startRun(steps);
    expect(refusal(() => run.send({ type: 'run.started', input: {} })).code).toBe('RUN_STATUS');
    const bad = startRun(steps, { start: false });
    const before = bad.state;
    expect(refusal(() => bad.send({ type: 'run.started', input: { n: 'x' } })).code).toBe('INPUT_INVALID');
    expect(bad.state).toBe(before);
  });

  it('pause lets the step in flight finish but starts nothing new; resume goes on', () => {
    const run = startRun(steps);
    run.pause();
    expect(run.state.status).toBe('paused');
    expect(run.state.reason).toBe('user_paused');
    run.complete('a', 1);
    expect(run.state.status).toBe('paused');
    expect(run.count('wait.started')).toBe(0);
    run.resume();
    expect(run.state.status).toBe('waiting');
    expect(run.count('run.resumed')).toBe(1);
    run.signal('go');
    expect(run.started()).toEqual(['a', 'b']);
  });

  it('pause and resume are idempotent', () => {
    const run = startRun(steps);
    run.pause();
    const paused = run.state;
    expect(run.pause().events).toEqual([]);
    expect(run.state).toBe(paused);
    run.resume();
    const resumed = run.state;
    expect(run.resume().events).toEqual([]);
    expect(run.state).toBe(resumed);
    expect(run.count('run.paused')).toBe(1);
    expect(run.count('run.resumed')).toBe(1);
  });

  it('a waiting run can be paused; a signal while paused is applied, and the run goes on when resumed', () => {
    const run = startRun(steps);
    run.complete('a', 1);
    expect(run.state.status).toBe('waiting');
    run.pause();
    expect(run.state.status).toBe('paused');
    run.signal('go');
    expect(run.state.status).toBe('paused');
    expect(run.started()).toEqual(['a']);
    run.resume();
    expect(run.started()).toEqual(['a', 'b']);
    expect(run.state.status).toBe('running');
  });

  it('cancel stops all work, is idempotent and is refused on a completed run', () => {
    const run = startRun(steps);
    run.cancel();
    expect(run.state.status).toBe('cancelled');
    expect(run.state.reason).toBe('user_cancelled');
    expect(run.effectsOf('step.cancel')).toHaveLength(1);
    expect(run.finished).toEqual({ type: 'run.finished', status: 'cancelled' });
    expect(run.cancel().events).toEqual([]);
    expect(refusal(() => run.pause()).code).toBe('RUN_STATUS');
    expect(refusal(() => run.resume()).code).toBe('RUN_STATUS');
    expect(refusal(() => run.signal('go')).code).toBe('RUN_STATUS');
    expect(refusal(() => run.retry()).code).toBe('RUN_STATUS');

    const done = startRun(
      flow(
        'format: runloom/v1\nid: x\nnodes: [{ id: start, type: start }, { id: e, type: end }]\nedges: [{ from: start, to: e }]',
      ),
    );
    expect(done.state.status).toBe('completed');
    expect(refusal(() => done.cancel()).code).toBe('RUN_STATUS');
    expect(refusal(() => done.pause()).code).toBe('RUN_STATUS');
  });

  it('a waiting run (a timer) can be cancelled: its timer is cancelled', () => {
    const run = startRun(
      flow(
        'format: runloom/v1\nid: t\nnodes: [{ id: start, type: start }, { id: t, type: timer, duration: 1d }, { id: e, type: end }]\nedges: [{ from: start, to: t }, { from: t, to: e }]',
      ),
    );
    run.cancel();
    expect(run.effectsOf('timer.cancel')).toHaveLength(1);
    expect(run.send({ type: 'timer.fired', seq: 1 }).events).toEqual([]);
  });

  it('a failed step can be retried by a user: new attempt, new idempotency key, the run goes on', () => {
    const run = startRun(steps);
    run.fail('a', failure('DOWN', false));
    expect(run.state.status).toBe('failed');
    run.retry();
    expect(run.state.status).toBe('running');
    expect(run.state.error).toBeUndefined();
    const again = run.effectsOf('step.execute').at(-1)!;
    expect(again).toMatchObject({ nodeId: 'a', attempt: 2, idempotencyKey: 'run-1:a:2:0' });
    run.complete('a', 'ok');
    expect(run.state.steps.a).toMatchObject({ status: 'completed', attempt: 2 });
    run.signal('go');
    run.complete('b', 'ok');
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });

  it('retry refuses when there is nothing to retry', () => {
    const run = startRun(steps);
    expect(refusal(() => run.retry()).code).toBe('NOTHING_TO_RETRY');
    run.fail('a', failure('DOWN', false));
    expect(refusal(() => run.retry('b')).code).toBe('NOTHING_TO_RETRY');
  });

  it('a run cannot be paused before it started', () => {
    const run = startRun(steps, { start: false });
    expect(refusal(() => run.pause()).code).toBe('RUN_STATUS');
    run.send({ type: 'run.started', input: {} });
    expect(run.started()).toEqual(['a']);
  });
});

describe('user retry inside a loop', () => {
  it('keeps the failed visit in its key and never reuses a key of another visit', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: loop-retry
defaults: { onBranchFailure: pause }
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: work, type: task, action: work, input: { n: "=vars.n" }, output: n }
  - { id: again, type: decision }
  - { id: side, type: task, action: side }
  - { id: join, type: parallel }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: work }
  - { from: fork, to: side }
  - { from: work, to: again }
  - { from: again, to: work, when: "vars.n < 3" }
  - { from: again, to: join, default: true }
  - { from: side, to: join }
  - { from: join, to: done }
`,
        { work: () => HOLD, side: () => HOLD },
      ),
    );
    run.complete('work', 1); // visit 1
    run.fail('work', failure('DOWN', false)); // visit 2 fails: the run pauses
    run.retry('work'); // attempt 2 of visit 2
    run.complete('work', 2);
    run.complete('work', 3); // visit 3
    run.complete('side', null);
    expect(run.state.status).toBe('completed');
    const keys = run
      .effectsOf('step.execute')
      .filter((e) => e.nodeId === 'work')
      .map((e) => e.idempotencyKey);
    expect(keys).toEqual(['run-1:work:1:0.0', 'run-1:work:1:0.0@2', 'run-1:work:2:0.0@2', 'run-1:work:1:0.0@3']);
  });
});
