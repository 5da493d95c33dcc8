import { describe, expect, it } from 'vitest';
import { flow, HOLD, startRun } from './driver.js';

const forkJoin = flow(
  `
format: runloom/v1
id: fork-join
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: work, output: a }
  - { id: b, type: task, action: work, output: b }
  - { id: c, type: task, action: work, output: c }
  - { id: join, type: parallel }
  - { id: after, type: task, action: after, input: { all: "=[vars.a, vars.b, vars.c]" }, output: all }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: a }
  - { from: fork, to: b }
  - { from: fork, to: c }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: c, to: join }
  - { from: join, to: after }
  - { from: after, to: done }
`,
  { work: () => HOLD, after: ({ all }) => all },
);

const permutations = <T>(xs: readonly T[]): T[][] =>
  xs.length <= 1
    ? [xs.slice()]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));

describe('parallel gateway', () => {
  it('a fork starts every branch at once, each on its own branch id', () => {
    const run = startRun(forkJoin);
    expect(run.started()).toEqual(['a', 'b', 'c']);
    expect(run.eventsOf('branch.forked', 'fork')).toHaveLength(1);
    expect(run.state.tokens.map((t) => t.branch)).toEqual(['0.0', '0.1', '0.2']);
    expect(run.effectsOf('step.execute').map((e) => e.idempotencyKey)).toEqual([
      'run-1:a:1:0.0',
      'run-1:b:1:0.1',
      'run-1:c:1:0.2',
    ]);
    expect(run.state.status).toBe('running');
  });

  for (const order of permutations(['a', 'b', 'c'])) {
    it(`a true AND-join waits for every branch and fires once (completion order ${order.join(', ')})`, () => {
      const run = startRun(forkJoin);
      for (const [i, node] of order.entries()) {
        expect(run.count('branch.joined'), `before ${node} completes`).toBe(0);
        expect(run.started()).not.toContain('after');
        run.complete(node, node.toUpperCase());
        if (i < order.length - 1) expect(Object.keys(run.state.joins)).toEqual([String(run.flow.nodeIndex.get('join'))]);
      }
      expect(run.count('branch.joined', 'join')).toBe(1);
      expect(run.started().filter((id) => id === 'after')).toHaveLength(1);
      expect(run.state.vars.all).toEqual(['A', 'B', 'C']);
      expect(run.state.status).toBe('completed');
      expect(run.state.joins).toEqual({});
      expect(run.eventsOf('branch.joined')[0].data).toEqual({ tokens: expect.arrayContaining([2, 3, 4]) });
      // the merged token continues on the common branch
      expect(run.effectsOf('step.execute').find((e) => e.nodeId === 'after')?.idempotencyKey).toBe('run-1:after:1:0');
      expect(run.replayed()).toEqual(run.state);
    });
  }

  it('nested fork/join blocks join inner first, then outer, each exactly once', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: nested
nodes:
  - { id: start, type: start }
  - { id: outer, type: parallel }
  - { id: inner, type: parallel }
  - { id: x, type: task, action: w }
  - { id: y, type: task, action: w }
  - { id: innerJoin, type: parallel }
  - { id: z, type: task, action: w }
  - { id: outerJoin, type: parallel }
  - { id: done, type: end }
edges:
  - { from: start, to: outer }
  - { from: outer, to: inner }
  - { from: outer, to: z }
  - { from: inner, to: x }
  - { from: inner, to: y }
  - { from: x, to: innerJoin }
  - { from: y, to: innerJoin }
  - { from: innerJoin, to: outerJoin }
  - { from: z, to: outerJoin }
  - { from: outerJoin, to: done }
`,
        { w: () => HOLD },
      ),
    );
    run.complete('z', 1);
    run.complete('y', 1);
    expect(run.count('branch.joined')).toBe(0);
    run.complete('x', 1);
    expect(run.eventsOf('branch.joined').map((e) => e.nodeId)).toEqual(['innerJoin', 'outerJoin']);
    expect(run.state.status).toBe('completed');
  });

  it('a parallel gateway with one incoming edge takes every outgoing edge and ignores conditions', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: cond
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: end }
  - { id: b, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: a, when: "false" }
  - { from: fork, to: b }
`,
      ),
    );
    expect(run.count('branch.ended')).toBe(2);
    expect(run.state.status).toBe('completed');
  });

  it('a join in a loop fires once per round', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: loop
nodes:
  - { id: start, type: start }
  - { id: prep, type: task, action: other }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: count, output: n }
  - { id: b, type: task, action: other }
  - { id: join, type: parallel }
  - { id: again, type: decision }
  - { id: done, type: end }
edges:
  - { from: start, to: prep }
  - { from: prep, to: fork }
  - { from: fork, to: a }
  - { from: fork, to: b }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: join, to: again }
  - { from: again, to: prep, when: "vars.n < 3" }
  - { from: again, to: done, default: true }
`,
        { count: (_input, ctx) => Number(ctx.idempotencyKey.split('@')[1] ?? 1), other: () => null },
      ),
    );
    expect(run.state.status).toBe('completed');
    expect(run.count('branch.joined', 'join')).toBe(3);
    expect(run.count('branch.forked', 'fork')).toBe(3);
    // loop rounds get distinct idempotency keys
    const keys = run.effectsOf('step.execute').map((e) => e.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('maxParallel', () => {
  it('never has more than maxParallel steps in flight; the others start as slots free up', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: wide
defaults: { limits: { maxParallel: 2 } }
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: w }
  - { id: b, type: task, action: w }
  - { id: c, type: task, action: w }
  - { id: d, type: task, action: w }
  - { id: e, type: task, action: w }
  - { id: join, type: parallel }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: a }
  - { from: fork, to: b }
  - { from: fork, to: c }
  - { from: fork, to: d }
  - { from: fork, to: e }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: c, to: join }
  - { from: d, to: join }
  - { from: e, to: join }
  - { from: join, to: done }
`,
        { w: () => HOLD },
      ),
    );
    expect(run.started()).toEqual(['a', 'b']);
    expect(run.state.status).toBe('running');
    run.complete('b', 1);
    expect(run.started()).toEqual(['a', 'b', 'c']);
    while (run.steps.size > 0) run.complete([...run.steps.keys()][0], 1);
    expect(run.peakSteps).toBe(2);
    expect(run.started()).toHaveLength(5);
    expect(run.state.status).toBe('completed');
  });

  it('a join stored before joins counted their filled slots still fires when the last branch arrives', () => {
    const run = startRun(forkJoin);
    run.complete('a', 1);
    run.complete('b', 2);
    // As an older version wrote it: the arrivals, without the count.
    const stored = JSON.parse(JSON.stringify(run.state)) as { joins: Record<string, { filled?: number }> };
    for (const join of Object.values(stored.joins)) delete join.filled;
    run.state = stored as unknown as typeof run.state;
    run.complete('c', 3);
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toMatchObject({ all: [1, 2, 3] });
  });
});
