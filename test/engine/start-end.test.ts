import { describe, expect, it } from 'vitest';
import { flow, HOLD, startRun } from './driver.js';

describe('start and end nodes', () => {
  it('a flow of start → end completes at once, with vars as output and no step counted', () => {
    const run = startRun(
      flow(`
format: runloom/v1
id: empty
nodes: [{ id: start, type: start }, { id: done, type: end }]
edges: [{ from: start, to: done }]
`),
    );
    expect(run.state.status).toBe('completed');
    expect(run.state.reason).toBe('completed');
    expect(run.state.output).toEqual({});
    expect(run.state.usage.steps).toBe(0); // start and end are not counted against maxSteps
    expect(run.state.tokens).toEqual([]);
    expect(run.count('branch.ended', 'done')).toBe(1);
    expect(run.events.map((e) => e.type)).toEqual(['run.started', 'branch.ended', 'run.completed']);
    expect(run.finished).toEqual({ type: 'run.finished', status: 'completed', output: {} });
  });

  it('the run output is built by the flow `output` expression', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: out
output: { total: "=vars.sum", who: "=input.name", ok: true }
nodes:
  - { id: start, type: start }
  - { id: add, type: task, action: add, input: { a: 2, b: 3 }, output: sum }
  - { id: done, type: end }
edges: [{ from: start, to: add }, { from: add, to: done }]
`,
        { add: ({ a, b }) => a + b },
      ),
      { input: { name: 'ada' } },
    );
    expect(run.state.status).toBe('completed');
    expect(run.state.output).toEqual({ total: 5, who: 'ada', ok: true });
  });

  it('a run completes only when every branch has ended', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: two-ends
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: fast, type: task, action: fast }
  - { id: slow, type: task, action: slow }
  - { id: endA, type: end }
  - { id: endB, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: fast }
  - { from: fork, to: slow }
  - { from: fast, to: endA }
  - { from: slow, to: endB }
`,
        { fast: () => 1, slow: () => HOLD },
      ),
    );
    expect(run.count('branch.ended')).toBe(1);
    expect(run.state.status).toBe('running');
    run.complete('slow', 2);
    expect(run.state.status).toBe('completed');
    expect(run.count('branch.ended')).toBe(2);
  });

  it('end with terminate: true ends every other branch and cancels its work', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: terminate
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: quick, type: task, action: quick }
  - { id: long, type: task, action: long }
  - { id: pause, type: timer, duration: 1h }
  - { id: stop, type: end, terminate: true }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: quick }
  - { from: fork, to: long }
  - { from: fork, to: pause }
  - { from: quick, to: stop }
  - { from: long, to: done }
  - { from: pause, to: done }
`,
        { quick: () => HOLD, long: () => HOLD },
      ),
    );
    const longSeq = [...run.steps.values()].find((s) => s.nodeId === 'long')!.seq;
    const timerSeq = [...run.timers.keys()][0];
    run.complete('quick', 'ok');
    expect(run.state.status).toBe('completed');
    expect(run.count('run.terminated')).toBe(1);
    expect(run.state.tokens).toEqual([]);
    expect(run.state.pending).toEqual({});
    expect(run.effectsOf('step.cancel').map((e) => e.seq)).toEqual([longSeq]);
    expect(run.effectsOf('timer.cancel')).toEqual([{ type: 'timer.cancel', seq: timerSeq }]);
    expect(run.steps.size).toBe(0);
    expect(run.timers.size).toBe(0);
    // A late result of the cancelled step changes nothing.
    const before = run.state;
    const t = run.send({ type: 'step.completed', seq: longSeq, output: 'late' });
    expect(t.events).toEqual([]);
    expect(run.state).toBe(before);
  });

  it('every node of a sequence runs, the last one included', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: seq
nodes:
  - { id: start, type: start }
  - { id: a, type: task, action: step, input: { n: 1 } }
  - { id: b, type: task, action: step, input: { n: 2 } }
  - { id: c, type: task, action: step, input: { n: 3 }, output: last }
  - { id: done, type: end }
edges: [{ from: start, to: a }, { from: a, to: b }, { from: b, to: c }, { from: c, to: done }]
`,
        { step: ({ n }) => n * 10 },
      ),
    );
    expect(run.started()).toEqual(['a', 'b', 'c']);
    expect(run.state.vars).toEqual({ last: 30 });
    expect(run.state.usage.steps).toBe(3);
    expect(run.replayed()).toEqual(run.state);
  });
});
