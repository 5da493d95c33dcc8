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

  it('does not drop when a boundary path is taken: its target was counted as reachable from the start', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: progress-boundary
nodes:
  - { id: start, type: start }
  - { id: first, type: task, action: t }
  - id: slow
    type: task
    action: t
    boundary: [{ on: timer, after: 1s, to: remind, interrupting: false }]
  - { id: remind, type: task, action: t }
  - { id: reminded, type: end }
  - { id: done, type: end }
edges: [{ from: start, to: first }, { from: first, to: slow }, { from: slow, to: done }, { from: remind, to: reminded }]
`,
        { t: () => HOLD },
      ),
    );
    run.complete('first', 1);
    const seen = [progressOf(run.state, run.flow).percent];
    run.tick(1000); // the reminder branch starts beside the slow step
    seen.push(progressOf(run.state, run.flow).percent);
    run.complete('remind', 1);
    seen.push(progressOf(run.state, run.flow).percent);
    run.complete('slow', 1);
    seen.push(progressOf(run.state, run.flow).percent);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen.at(-1)).toBe(100);
  });
});
