import { describe, expect, it } from 'vitest';
import { flow, HOLD, startRun } from './driver.js';

const anyOf = flow(
  `
format: runloom/v1
id: any-of
nodes:
  - { id: start, type: start }
  - { id: split, type: inclusive }
  - { id: email, type: task, action: send }
  - { id: sms, type: task, action: send }
  - { id: push, type: task, action: send }
  - { id: none, type: task, action: send }
  - { id: join, type: inclusive }
  - { id: after, type: task, action: after }
  - { id: done, type: end }
edges:
  - { from: start, to: split }
  - { from: split, to: email, when: "input.email" }
  - { from: split, to: sms, when: "input.sms" }
  - { from: split, to: push, when: "input.push" }
  - { from: split, to: none, default: true }
  - { from: email, to: join }
  - { from: sms, to: join }
  - { from: push, to: join }
  - { from: none, to: join }
  - { from: join, to: after }
  - { from: after, to: done }
`,
  { send: () => HOLD, after: () => 'after' },
);

describe('inclusive gateway', () => {
  it('activates only the branches whose condition holds; with 1 of 3 the join fires on that one', () => {
    const run = startRun(anyOf, { input: { sms: true } });
    expect(run.started()).toEqual(['sms']);
    expect(run.count('branch.forked')).toBe(0);
    run.complete('sms', 'ok');
    expect(run.count('branch.joined', 'join')).toBe(1);
    expect(run.started()).toEqual(['sms', 'after']);
    expect(run.state.status).toBe('completed');
  });

  it('with 3 of 3 the join waits for all three, in any order, and fires once', () => {
    const run = startRun(anyOf, { input: { email: true, sms: true, push: true } });
    expect(run.started()).toEqual(['email', 'sms', 'push']);
    run.complete('push', 1);
    run.complete('email', 1);
    expect(run.count('branch.joined')).toBe(0);
    expect(run.started()).not.toContain('after');
    run.complete('sms', 1);
    expect(run.count('branch.joined', 'join')).toBe(1);
    expect(run.started().filter((id) => id === 'after')).toHaveLength(1);
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });

  it('with 2 of 3 the join waits for exactly those two', () => {
    const run = startRun(anyOf, { input: { email: true, push: true } });
    expect(run.started()).toEqual(['email', 'push']);
    run.complete('push', 1);
    expect(run.count('branch.joined')).toBe(0);
    run.complete('email', 1);
    expect(run.count('branch.joined')).toBe(1);
    expect(run.state.status).toBe('completed');
  });

  it('takes the default edge when no condition holds', () => {
    const run = startRun(anyOf, { input: {} });
    expect(run.started()).toEqual(['none']);
    run.complete('none', 1);
    expect(run.state.status).toBe('completed');
  });

  it('an all-conditional split (valid, as in BPMN) with no condition true fails the branch with NO_PATH naming it', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: all-conditional
nodes:
  - { id: start, type: start }
  - { id: split, type: inclusive }
  - { id: a, type: task, action: send }
  - { id: done, type: end }
edges:
  - { from: start, to: split }
  - { from: split, to: a, when: "input.a" }
  - { from: split, to: done, when: "input.b" }
  - { from: a, to: done }
`,
        { send: () => 1 },
      ),
      { input: {} },
    );
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('NO_PATH');
    expect(run.state.error?.message).toContain("'split'");
    expect(run.count('branch.failed', 'split')).toBe(1);
  });

  it('a join waits for a branch still waiting (wait node) as long as it can arrive', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: any-wait
nodes:
  - { id: start, type: start }
  - { id: split, type: inclusive }
  - { id: quick, type: task, action: t }
  - { id: approve, type: wait, signal: ok }
  - { id: join, type: inclusive }
  - { id: done, type: end }
edges:
  - { from: start, to: split }
  - { from: split, to: quick }
  - { from: split, to: approve, when: "input.ask" }
  - { from: quick, to: join }
  - { from: approve, to: join }
  - { from: join, to: done }
`,
        { t: () => 1 },
      ),
      { input: { ask: true } },
    );
    expect(run.state.status).toBe('waiting');
    expect(run.count('branch.joined')).toBe(0);
    run.signal('ok', {});
    expect(run.count('branch.joined')).toBe(1);
    expect(run.state.status).toBe('completed');
  });

  // The other parallel branch parks at the outer AND-join, which is "upstream" of the inner
  // inclusive join through the loop's back edge. It cannot arrive before the inner join fires,
  // so it must not hold the inner join back.
  const loopAny = flow(
    `
format: runloom/v1
id: loop-any
nodes:
  - { id: start, type: start }
  - { id: prep, type: task, action: side }
  - { id: fork, type: parallel }
  - { id: split, type: inclusive }
  - { id: a, type: task, action: t }
  - { id: b, type: task, action: t }
  - { id: join, type: inclusive }
  - { id: side, type: task, action: side }
  - { id: outerJoin, type: parallel }
  - { id: count, type: task, action: count, output: n }
  - { id: again, type: decision }
  - { id: done, type: end }
edges:
  - { from: start, to: prep }
  - { from: prep, to: fork }
  - { from: fork, to: split }
  - { from: fork, to: side }
  - { from: split, to: a }
  - { from: split, to: b, when: "input.both" }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: join, to: outerJoin }
  - { from: side, to: outerJoin }
  - { from: outerJoin, to: count }
  - { from: count, to: again }
  - { from: again, to: prep, when: "vars.n < 3" }
  - { from: again, to: done, default: true }
`,
    { t: () => HOLD, side: () => 'side', count: (_i, ctx) => Number(ctx.idempotencyKey.split('@')[1] ?? 1) },
  );

  it('an inclusive block inside a loop, beside another parallel branch: 2 of 2 activated, joins every round', () => {
    const run = startRun(loopAny, { input: { both: true } });
    for (let round = 1; round <= 3; round++) {
      expect(run.state.status, `round ${round}`).toBe('running');
      run.complete('b', round);
      expect(run.count('branch.joined', 'join'), `round ${round}: join must wait for a`).toBe(round - 1);
      run.complete('a', round);
      expect(run.count('branch.joined', 'join'), `round ${round}`).toBe(round);
    }
    expect(run.count('branch.joined', 'outerJoin')).toBe(3);
    expect(run.state.status).toBe('completed');
  });

  it('an inclusive block inside a loop, beside another parallel branch: 1 of 2 activated, joins every round', () => {
    const run = startRun(loopAny, { input: { both: false } });
    for (let round = 1; round <= 3; round++) {
      expect(run.state.status, `round ${round}`).toBe('running');
      run.complete('a', round);
      expect(run.count('branch.joined', 'join'), `round ${round}`).toBe(round);
      expect(run.count('branch.joined', 'outerJoin'), `round ${round}`).toBe(round);
    }
    expect(run.state.status).toBe('completed');
    expect(run.state.error).toBeUndefined();
  });
});
