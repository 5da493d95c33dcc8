import { describe, expect, it } from 'vitest';
import { failure, flow, HOLD, startRun } from './driver.js';

const twoBranches = (policy: string, join = true) =>
  flow(
    `
format: runloom/v1
id: branches
defaults: { onBranchFailure: ${policy} }
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: a }
  - { id: b, type: task, action: b, output: b }
  ${join ? '- { id: join, type: parallel }' : '- { id: endA, type: end }'}
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: a }
  - { from: fork, to: b }
  ${join ? '- { from: a, to: join }\n  - { from: b, to: join }\n  - { from: join, to: done }' : '- { from: a, to: endA }\n  - { from: b, to: done }'}
`,
    { a: () => HOLD, b: () => HOLD },
  );

describe('onBranchFailure', () => {
  it('stop: a failed branch fails the run and cancels the other branches', () => {
    const run = startRun(twoBranches('stop'));
    const b = run.effectsOf('step.execute')[1];
    run.fail('a', failure('BOOM', false));
    expect(run.state.status).toBe('failed');
    expect(run.state.reason).toBe('branch_failed');
    expect(run.state.error?.code).toBe('BOOM');
    expect(run.effectsOf('step.cancel').map((e) => e.seq)).toEqual([b.seq]);
    expect(run.eventsOf('branch.failed', 'a')).toHaveLength(1);
    expect(run.finished).toMatchObject({ type: 'run.finished', status: 'failed', error: { code: 'BOOM' } });
    expect(run.state.pending).toEqual({});
  });

  it('continue: the other branches go on, and a join stops waiting for the failed branch', () => {
    const run = startRun(twoBranches('continue'));
    run.fail('a', failure('BOOM', false));
    expect(run.state.status).toBe('running');
    expect(run.effectsOf('step.cancel')).toEqual([]);
    run.complete('b', 'B');
    expect(run.count('branch.joined', 'join')).toBe(1);
    expect(run.state.vars.b).toBe('B');
    expect(run.state.steps.a.status).toBe('failed');
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });

  it('continue without a join: the run completes when the surviving branch ends', () => {
    const run = startRun(twoBranches('continue', false));
    run.fail('a', failure('BOOM', false));
    run.complete('b', 'B');
    expect(run.state.status).toBe('completed');
  });

  it('continue: when every branch failed the run fails', () => {
    const run = startRun(twoBranches('continue', false));
    run.fail('a', failure('BOOM', false));
    run.fail('b', failure('BANG', false));
    expect(run.state.status).toBe('failed');
    expect(run.state.reason).toBe('branch_failed');
  });

  it('pause: the run pauses; in-flight work finishes but nothing new starts; a retry goes on', () => {
    const run = startRun(twoBranches('pause'));
    run.fail('a', failure('BOOM', false));
    expect(run.state.status).toBe('paused');
    expect(run.state.reason).toBe('branch_failed');
    expect(run.state.error?.code).toBe('BOOM');
    expect(run.eventsOf('run.paused').map((e) => (e.data as { reason: string }).reason)).toEqual(['branch_failed']);
    run.complete('b', 'B');
    expect(run.state.status).toBe('paused');
    expect(run.count('branch.joined')).toBe(0);
    run.retry('a');
    expect(run.state.status).toBe('running');
    const again = run.effectsOf('step.execute').at(-1)!;
    expect(again).toMatchObject({ nodeId: 'a', attempt: 2, idempotencyKey: 'run-1:a:2:0.0' });
    run.complete('a', 'A');
    expect(run.count('branch.joined')).toBe(1);
    expect(run.state.status).toBe('completed');
    expect(run.state.error).toBeUndefined();
    expect(run.replayed()).toEqual(run.state);
  });
});
