import { describe, expect, it } from 'vitest';
import { failure, flow, HOLD, startRun } from './driver.js';

const mapFlow = (concurrency: number, handler: (input: { n: number }) => unknown, extra = '') =>
  flow(
    `
format: runloom/v1
id: map
${extra}
nodes:
  - { id: start, type: start }
  - id: each
    type: map
    items: "=input.list"
    concurrency: ${concurrency}
    do: { type: task, action: square, input: { n: "=item", at: "=index" } }
    output: squares
  - { id: after, type: task, action: after, input: { got: "=vars.squares" } }
  - { id: done, type: end }
edges: [{ from: start, to: each }, { from: each, to: after }, { from: after, to: done }]
`,
    { square: handler, after: ({ got }) => got },
  );

describe('map', () => {
  it('runs the body once per item and keeps results in item order when items finish out of order', () => {
    const run = startRun(
      mapFlow(10, () => HOLD),
      { input: { list: [1, 2, 3, 4] } },
    );
    const items = run.effectsOf('step.execute');
    expect(items.map((e) => [e.item, e.input])).toEqual([
      [0, { n: 1, at: 0 }],
      [1, { n: 2, at: 1 }],
      [2, { n: 3, at: 2 }],
      [3, { n: 4, at: 3 }],
    ]);
    expect(items.map((e) => e.idempotencyKey)).toEqual([
      'run-1:each:1:0[0]',
      'run-1:each:1:0[1]',
      'run-1:each:1:0[2]',
      'run-1:each:1:0[3]',
    ]);
    for (const index of [2, 0, 3, 1]) {
      run.complete(items[index].seq, (index + 1) ** 2);
      if (index !== 1) expect(run.started()).not.toContain('after');
    }
    expect(run.state.vars.squares).toEqual([1, 4, 9, 16]);
    expect(run.state.steps.after.output).toEqual([1, 4, 9, 16]);
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.steps).toBe(2); // the map counts once, its items do not
    expect(run.replayed()).toEqual(run.state);
  });

  it('never has more than `concurrency` items in flight', () => {
    const run = startRun(
      mapFlow(2, () => HOLD),
      { input: { list: [1, 2, 3, 4, 5] } },
    );
    expect(run.steps.size).toBe(2);
    let completed = 0;
    while (run.steps.size > 0) {
      // complete the newest first, so that dispatch order and completion order differ
      const seqs = [...run.steps.keys()];
      run.complete(seqs[seqs.length - 1], completed++);
      expect(run.steps.size).toBeLessThanOrEqual(2);
    }
    expect(run.peakSteps).toBe(2);
    expect(run.effectsOf('step.execute').filter((e) => e.nodeId === 'each')).toHaveLength(5);
    expect(run.state.status).toBe('completed');
  });

  it('with auto execution in a random order the concurrency still holds and the order of results too', () => {
    let seed = 7;
    const pick = (steps: readonly unknown[]) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % steps.length;
    };
    const list = Array.from({ length: 20 }, (_, i) => i);
    const run = startRun(
      mapFlow(3, ({ n }) => n * n),
      { input: { list }, pick },
    );
    expect(run.peakSteps).toBeLessThanOrEqual(3);
    expect(run.state.vars.squares).toEqual(list.map((n) => n * n));
  });

  it('an empty list completes the map at once with []', () => {
    const run = startRun(
      mapFlow(2, () => HOLD),
      { input: { list: [] } },
    );
    expect(run.effectsOf('step.execute').map((e) => e.nodeId)).toEqual(['after']);
    expect(run.state.vars.squares).toEqual([]);
    expect(run.state.status).toBe('completed');
  });

  it('a single value is a list of one (JSONata gives one match as the match itself)', () => {
    const run = startRun(
      mapFlow(2, ({ n }) => n),
      { input: { list: 'abc' } },
    );
    expect(run.state.status).toBe('completed');
    expect(run.state.vars.squares).toEqual(['abc']);
  });

  it('regression: a filter matching exactly one item maps over that one item instead of failing', () => {
    const filtered = (orders: unknown[]) =>
      startRun(
        flow(
          `
format: runloom/v1
id: paid
nodes:
  - { id: start, type: start }
  - id: each
    type: map
    items: "=input.orders[paid]"
    do: { type: task, action: ship, input: { sku: "=item.sku" } }
    output: shipped
  - { id: done, type: end }
edges: [{ from: start, to: each }, { from: each, to: done }]
`,
          { ship: ({ sku }) => sku },
        ),
        { input: { orders } },
      );
    const one = filtered([
      { sku: 'a', paid: true },
      { sku: 'b', paid: false },
    ]);
    expect(one.state.status).toBe('completed');
    expect(one.state.vars.shipped).toEqual(['a']);
    const two = filtered([
      { sku: 'a', paid: true },
      { sku: 'b', paid: true },
    ]);
    expect(two.state.vars.shipped).toEqual(['a', 'b']);
    expect(filtered([{ sku: 'a', paid: false }]).state.vars.shipped).toEqual([]);
  });

  it('a failing item fails the map and cancels the items in flight', () => {
    const run = startRun(
      mapFlow(3, () => HOLD),
      { input: { list: [1, 2, 3] } },
    );
    const [first, second, third] = run.effectsOf('step.execute');
    run.complete(first.seq, 1);
    run.fail(second.seq, failure('BOOM', false));
    expect(run.effectsOf('step.cancel').map((e) => e.seq)).toEqual([third.seq]);
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('BOOM');
    expect(run.state.pending).toEqual({});
  });

  it('a failing item is retried with the body retry policy, keeping its place and the concurrency', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: map-retry
nodes:
  - { id: start, type: start }
  - id: each
    type: map
    items: [a, b]
    concurrency: 1
    do: { type: task, action: t, input: { v: "=item" }, retry: { maxAttempts: 2, initialDelay: 1s } }
    output: out
  - { id: done, type: end }
edges: [{ from: start, to: each }, { from: each, to: done }]
`,
        { t: () => HOLD },
      ),
    );
    const [a1] = run.effectsOf('step.execute');
    run.fail(a1.seq, failure('FLAKY'));
    expect(run.steps.size).toBe(0); // b does not start while a waits for its retry (concurrency 1)
    run.tick(1000);
    const a2 = [...run.steps.values()][0];
    expect(a2).toMatchObject({ item: 0, attempt: 2, input: { v: 'a' }, idempotencyKey: 'run-1:each:2:0[0]' });
    run.complete(a2.seq, 'A');
    const b = [...run.steps.values()][0];
    expect(b).toMatchObject({ item: 1, attempt: 1 });
    run.complete(b.seq, 'B');
    expect(run.state.vars.out).toEqual(['A', 'B']);
  });

  it('maxParallel caps map items below the map concurrency', () => {
    const run = startRun(
      mapFlow(10, () => HOLD, 'defaults: { limits: { maxParallel: 2 } }'),
      { input: { list: [1, 2, 3, 4] } },
    );
    expect(run.steps.size).toBe(2);
    while (run.steps.size > 0) run.complete([...run.steps.keys()][0], 0);
    expect(run.peakSteps).toBe(2);
    expect(run.state.status).toBe('completed');
  });
});
