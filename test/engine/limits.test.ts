import { describe, expect, it } from 'vitest';
import { flow, HOLD, startRun } from './driver.js';

const chain = (defaults: string, actions = {}) =>
  flow(
    `
format: runloom/v1
id: chain
defaults: ${defaults}
nodes:
  - { id: start, type: start }
  - { id: s1, type: task, action: work }
  - { id: s2, type: task, action: work }
  - { id: s3, type: task, action: work }
  - { id: s4, type: task, action: work }
  - { id: done, type: end }
edges: [{ from: start, to: s1 }, { from: s1, to: s2 }, { from: s2, to: s3 }, { from: s3, to: s4 }, { from: s4, to: done }]
`,
    { work: (_i: unknown, ctx: { nodeId: string }) => ctx.nodeId, ...actions },
  );

describe('limits', () => {
  describe('maxSteps', () => {
    it('fail: the step past the limit never starts and the run fails with max_steps', () => {
      const run = startRun(chain('{ limits: { maxSteps: 3 } }'));
      expect(run.started()).toEqual(['s1', 's2', 's3']);
      expect(run.state.status).toBe('failed');
      expect(run.state.reason).toBe('max_steps');
      expect(run.state.error?.code).toBe('LIMIT_MAX_STEPS');
      expect(run.eventsOf('limit.reached').map((e) => e.data)).toEqual([{ limit: 'maxSteps', value: 3, max: 3, action: 'fail' }]);
      expect(run.finished?.status).toBe('failed');
    });

    it('exactly maxSteps steps complete (start and end are not counted)', () => {
      const run = startRun(chain('{ limits: { maxSteps: 4 } }'));
      expect(run.state.status).toBe('completed');
      expect(run.state.usage.steps).toBe(4);
    });

    it('pause: the run pauses; raising the limit and resuming continues where it stopped', () => {
      const run = startRun(chain('{ limits: { maxSteps: 2 }, onLimit: pause }'));
      expect(run.started()).toEqual(['s1', 's2']);
      expect(run.state.status).toBe('paused');
      expect(run.state.reason).toBe('max_steps');
      run.resume(); // without raising the limit, the run pauses again at once
      expect(run.state.status).toBe('paused');
      expect(run.started()).toEqual(['s1', 's2']);
      run.raise({ maxSteps: 10 });
      expect(run.state.limits.maxSteps).toBe(10);
      expect(run.state.status).toBe('paused');
      run.resume();
      expect(run.started()).toEqual(['s1', 's2', 's3', 's4']);
      expect(run.state.status).toBe('completed');
      expect(run.replayed()).toEqual(run.state);
    });

    it('onLimit per limit: the named limit pauses, the others fail', () => {
      const paused = startRun(chain('{ limits: { maxSteps: 1 }, onLimit: { maxSteps: pause } }'));
      expect(paused.state.status).toBe('paused');
      const failed = startRun(chain('{ limits: { maxSteps: 1 }, onLimit: { maxTime: pause } }'));
      expect(failed.state.status).toBe('failed');
    });

    it('run options override the flow limits', () => {
      const run = startRun(chain('{ limits: { maxSteps: 1 } }'), { options: { limits: { maxSteps: 100 } } });
      expect(run.state.status).toBe('completed');
    });

    it('a map that is the last allowed step still runs its items (items are not steps)', () => {
      const run = startRun(
        flow(
          `
format: runloom/v1
id: map-last
defaults: { limits: { maxSteps: 1 } }
nodes:
  - { id: start, type: start }
  - { id: each, type: map, items: [1, 2], do: { type: task, action: t, input: { v: "=item" } }, output: out }
  - { id: done, type: end }
edges: [{ from: start, to: each }, { from: each, to: done }]
`,
          { t: ({ v }) => v * 2 },
        ),
      );
      expect(run.state.status).toBe('completed');
      expect(run.state.vars.out).toEqual([2, 4]);
    });
  });

  describe('maxTime', () => {
    it('counts active time and stops before the step that starts past it', () => {
      const run = startRun(chain('{ limits: { maxTime: 150s } }'), { stepMs: 60_000 });
      // s1 starts at 0, s2 at 1m, s3 at 2m (< 2.5m); s4 would start at 3m
      expect(run.started()).toEqual(['s1', 's2', 's3']);
      expect(run.state.status).toBe('failed');
      expect(run.state.reason).toBe('max_time');
      expect(run.state.usage.activeMs).toBe(180_000);
    });

    it('pause, raise, resume', () => {
      const run = startRun(chain('{ limits: { maxTime: 150s }, onLimit: { maxTime: pause } }'), { stepMs: 60_000 });
      expect(run.state.status).toBe('paused');
      run.tick(86_400_000); // a day paused does not count
      run.raise({ maxTime: 600_000 });
      run.resume();
      expect(run.state.status).toBe('completed');
      expect(run.state.usage.activeMs).toBe(240_000);
    });

    it('waiting time does not count', () => {
      const run = startRun(
        flow(
          `
format: runloom/v1
id: wait-time
defaults: { limits: { maxTime: 1m } }
nodes:
  - { id: start, type: start }
  - { id: hold, type: wait, signal: go }
  - { id: t, type: task, action: t }
  - { id: done, type: end }
edges: [{ from: start, to: hold }, { from: hold, to: t }, { from: t, to: done }]
`,
          { t: () => 1 },
        ),
      );
      run.tick(7 * 86_400_000);
      run.signal('go');
      expect(run.state.status).toBe('completed');
      expect(run.state.usage.activeMs).toBe(0);
    });
  });

  describe('maxCredits', () => {
    it('a step whose estimated cost would cross maxCredits is not started', () => {
      const run = startRun(
        chain('{ limits: { maxCredits: 100 } }', {
          work: { run: (_i: unknown, ctx: { nodeId: string }) => ctx.nodeId, cost: 40 },
        }),
      );
      expect(run.started()).toEqual(['s1', 's2']);
      expect(run.state.usage.credits).toBe(80);
      expect(run.state.status).toBe('failed');
      expect(run.state.reason).toBe('max_credits');
      expect(run.eventsOf('limit.reached')[0].data).toMatchObject({ limit: 'maxCredits', value: 120, max: 100 });
    });

    it('credits reserved by steps in flight count too', () => {
      const run = startRun(
        flow(
          `
format: runloom/v1
id: reserve
defaults: { limits: { maxCredits: 100 }, onLimit: pause }
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: t, cost: 60 }
  - { id: b, type: task, action: t, cost: 60 }
  - { id: join, type: parallel }
  - { id: done, type: end }
edges: [{ from: start, to: fork }, { from: fork, to: a }, { from: fork, to: b }, { from: a, to: join }, { from: b, to: join }, { from: join, to: done }]
`,
          { t: () => HOLD },
        ),
      );
      expect(run.started()).toEqual(['a']);
      expect(run.state.reserved).toBe(60);
      expect(run.state.status).toBe('paused');
      expect(run.state.reason).toBe('max_credits');
      // the step in flight still finishes while paused; its actual cost is what counts
      run.complete('a', 1, 10);
      expect(run.state.usage.credits).toBe(10);
      expect(run.state.reserved).toBe(0);
      run.resume(); // 10 + 60 <= 100 now
      expect(run.started()).toEqual(['a', 'b']);
      run.complete('b', 1);
      expect(run.state.usage.credits).toBe(70);
      expect(run.state.status).toBe('completed');
    });
  });

  it('a map stopped by maxCredits part-way cancels its items and leaves no token running without work', () => {
    const mapFlow = flow(
      `
format: runloom/v1
id: map-credits
defaults: { limits: { maxCredits: 100 } }
nodes:
  - { id: start, type: start }
  - { id: each, type: map, items: [1, 2, 3], concurrency: 3, do: { type: task, action: t, cost: 40, input: { v: "=item" } }, output: out }
  - { id: done, type: end }
edges: [{ from: start, to: each }, { from: each, to: done }]
`,
      { t: () => HOLD },
    );
    const run = startRun(mapFlow);
    expect(run.state.status).toBe('failed');
    expect(run.state.reason).toBe('max_credits');
    expect(run.effectsOf('step.cancel')).toHaveLength(2); // the two items that had started
    expect(run.state.pending).toEqual({});
    // nothing is left "running" without work in flight
    expect(run.state.tokens).toEqual([expect.objectContaining({ status: 'ready', node: run.flow.nodeIndex.get('each') })]);
    expect(run.state.tokens[0].map).toBeUndefined();
    expect(run.state.reserved).toBe(0);
  });

  it('limits cannot be raised on a finished run', () => {
    const run = startRun(chain('{ limits: { maxSteps: 1 } }'));
    expect(() => run.raise({ maxSteps: 5 })).toThrow(expect.objectContaining({ code: 'RUN_STATUS' }));
  });
});
