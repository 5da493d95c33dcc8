import { describe, expect, it } from 'vitest';
import { progressOf } from '../../src/engine/index.js';
import { flow, HOLD, startRun } from './driver.js';

describe('progress', () => {
  it('percent = completed weight / weight of the reachable path', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: progress
nodes:
  - { id: start, type: start }
  - { id: a, type: task, action: t }
  - { id: b, type: task, action: t, weight: 2 }
  - { id: route, type: decision, weight: 0 }
  - { id: c, type: task, action: t }
  - { id: big, type: task, action: t, weight: 100 }
  - { id: done, type: end }
edges:
  - { from: start, to: a }
  - { from: a, to: b }
  - { from: b, to: route }
  - { from: route, to: big, when: "input.big" }
  - { from: route, to: c, default: true }
  - { from: c, to: done }
  - { from: big, to: done }
`,
        { t: () => HOLD },
      ),
    );
    const p0 = progressOf(run.state, run.flow);
    expect(p0).toMatchObject({ percent: 0, completedWeight: 0, totalWeight: 1 + 2 + 0 + 1 + 100 });
    expect(p0.branches).toEqual([{ token: 1, branch: '0', nodeId: 'a', status: 'running', attempt: 1 }]);
    run.complete('a', 1);
    run.complete('b', 1);
    // the decision took the default edge: `big` is no longer on the reachable path
    const p1 = progressOf(run.state, run.flow);
    expect(p1).toMatchObject({ completedWeight: 3, totalWeight: 4, percent: 75 });
    run.complete('c', 1);
    expect(progressOf(run.state, run.flow).percent).toBe(100);
  });

  it('shows map progress and waiting tokens per branch', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: progress-map
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: each, type: map, items: [1, 2, 3], do: { type: task, action: t } }
  - { id: hold, type: wait, signal: go }
  - { id: join, type: parallel }
  - { id: done, type: end }
edges: [{ from: start, to: fork }, { from: fork, to: each }, { from: fork, to: hold }, { from: each, to: join }, { from: hold, to: join }, { from: join, to: done }]
`,
        { t: () => HOLD },
      ),
    );
    run.complete(run.effectsOf('step.execute')[0].seq, 1);
    const { branches, percent } = progressOf(run.state, run.flow);
    expect(branches).toEqual([
      { token: 2, branch: '0.0', nodeId: 'each', status: 'running', attempt: 1, mapDone: 1, mapTotal: 3 },
      { token: 3, branch: '0.1', nodeId: 'hold', status: 'waiting', waitingFor: 'signal', attempt: 1 },
    ]);
    expect(percent).toBe(0);
  });
});
