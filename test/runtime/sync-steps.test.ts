/**
 * Steps whose work finishes synchronously (ReadySteps): applied one after another by one loop,
 * not one inside the other, so a long chain neither grows the stack nor keeps the event loop
 * from timers and I/O; and the executor seam takes a result, a promise or a throw alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import type { StepRequest } from '../../src/runtime/executors.js';
import { closeAll, forkJoinFlow, linearFlow, openRunloom } from './support.js';

/** `n + 1`, synchronously; counts its calls. */
function incAction(counter: { calls: number }) {
  return defineAction({
    name: 'test.inc',
    input: z.object({ n: z.number().optional() }),
    run: ({ n }) => {
      counter.calls++;
      return (n ?? 0) + 1;
    },
  });
}

/** inc → again? (back to inc while vars.n < times) → end: 2 × times steps. */
function loopFlow(id: string, times: number): Record<string, unknown> {
  return {
    format: 'runloom/v1',
    id,
    defaults: { limits: { maxSteps: times * 2 + 10 } },
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'inc', type: 'task', action: 'test.inc', input: { n: '=vars.n' }, output: 'n' },
      { id: 'again', type: 'decision' },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'inc' },
      { from: 'inc', to: 'again' },
      { from: 'again', to: 'inc', when: `vars.n < ${times}` },
      { from: 'again', to: 'done', default: true },
    ],
  };
}

afterEach(closeAll);

describe.each(['memory', 'sqlite'] as const)('synchronous steps (%s store)', (kind) => {
  it('a loop of 20,000 synchronous steps completes: the stack does not grow with the chain', async () => {
    const counter = { calls: 0 };
    const runloom = await openRunloom(kind, [incAction(counter)]);
    await runloom.flows.publish(loopFlow('long-loop', 20_000));
    const run = await runloom.runs.start('long-loop', {});
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    expect(done.vars.n).toBe(20_000);
    expect(counter.calls).toBe(20_000);
    expect(done.usage.steps).toBe(40_000);
    // The log is whole and in order: one started and one completed event per step.
    const events = await runloom.runs.events(run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'step.completed')).toHaveLength(20_000);
  });

  it('branches of synchronous steps all run and join once', async () => {
    const counter = { calls: 0 };
    const runloom = await openRunloom(kind, [incAction(counter)]);
    const branches = Array.from({ length: 50 }, (_, i) => ({ id: `b${i}`, type: 'task', action: 'test.inc', input: {} }));
    await runloom.flows.publish(forkJoinFlow('wide', branches));
    const runs = await Promise.all(Array.from({ length: 20 }, () => runloom.runs.start('wide', {})));
    const done = await Promise.all(runs.map((run) => runloom.runs.wait(run.id)));
    expect(done.map((run) => run.status)).toEqual(runs.map(() => 'completed'));
    expect(counter.calls).toBe(50 * 20);
    for (const run of runs) {
      const events = await runloom.runs.events(run.id);
      expect(events.filter((e) => e.type === 'branch.joined')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'step.completed')).toHaveLength(50);
    }
  });
});

describe('a long synchronous chain and the event loop (memory store)', () => {
  it('lets a timer in while it runs, and interleaves with another run started with it', async () => {
    const counter = { calls: 0 };
    const runloom = await openRunloom('memory', [incAction(counter)]);
    await runloom.flows.publish(loopFlow('spin', 100_000));
    let callsWhenTimerFired = -1;
    setTimeout(() => {
      callsWhenTimerFired = counter.calls;
    }, 0);
    const [a, b] = await Promise.all([runloom.runs.start('spin', {}), runloom.runs.start('spin', {})]);
    // Both started before either ended: the first did not run to its end inside its start.
    expect(a.status).toBe('running');
    expect(b.status).toBe('running');
    const [doneA, doneB] = await Promise.all([runloom.runs.wait(a.id), runloom.runs.wait(b.id)]);
    expect([doneA.vars.n, doneB.vars.n]).toEqual([100_000, 100_000]);
    expect(callsWhenTimerFired).toBeGreaterThan(0);
    expect(callsWhenTimerFired).toBeLessThan(200_000);
  });
});

describe('the executor seam takes a result, a promise or a throw', () => {
  const screen = { id: 'screen', type: 'ux', output: 'shown' };

  it.each([
    ['a result', (request: StepRequest) => ({ output: { node: request.nodeId, sync: true } })],
    ['a promise', async (request: StepRequest) => ({ output: { node: request.nodeId, sync: false } })],
  ])('a ux executor that returns %s completes the step with its output', async (_, executor) => {
    const runloom = await openRunloom('memory', [], { executors: { ux: executor } });
    await runloom.flows.publish(linearFlow('screens', [screen]));
    const run = await runloom.runs.start('screens', {});
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    expect(done.vars.shown).toMatchObject({ node: 'screen' });
  });

  it('an executor that throws fails the step with what it threw, and the runtime goes on', async () => {
    const runloom = await openRunloom('memory', [], {
      executors: {
        ux: () => {
          throw Object.assign(new Error('no screen for you'), { code: 'SCREEN_BROKEN' });
        },
      },
    });
    await runloom.flows.publish(linearFlow('screens', [screen]));
    const first = await runloom.runs.wait((await runloom.runs.start('screens', {})).id);
    expect(first.status).toBe('failed');
    expect(first.error).toMatchObject({ code: 'SCREEN_BROKEN', message: 'no screen for you' });
    const steps = await runloom.runs.steps(first.id);
    expect(steps).toMatchObject([{ nodeId: 'screen', status: 'failed' }]);
    // The next run is not affected.
    expect((await runloom.runs.wait((await runloom.runs.start('screens', {})).id)).status).toBe('failed');
  });
});
