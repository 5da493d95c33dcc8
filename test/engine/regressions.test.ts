/**
 * Regression tests, one describe per failure class seen in run engines. Each must fail if the
 * engine ever falls back into that class.
 */
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/engine/index.js';
import { advance, snapshotState } from '../../src/engine/index.js';
import { failure, flow, HOLD, startRun } from './driver.js';

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** Active ms of a run at time `at`. */
const active = (s: RunState, at: number): number => s.usage.activeMs + (s.activeSince === null ? 0 : at - s.activeSince);

describe('regression: a join that lets the first arriving branch win', () => {
  const join = flow(
    `
format: runloom/v1
id: first-wins
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: fast, type: task, action: fast, output: fast }
  - { id: approve, type: wait, signal: approve, output: approved }
  - { id: slow, type: timer, duration: 1h }
  - { id: join, type: parallel }
  - { id: ship, type: task, action: ship, input: { fast: "=vars.fast", approved: "=vars.approved" } }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: fast }
  - { from: fork, to: approve }
  - { from: fork, to: slow }
  - { from: fast, to: join }
  - { from: approve, to: join }
  - { from: slow, to: join }
  - { from: join, to: ship }
  - { from: ship, to: done }
`,
    { fast: () => 'fast', ship: (input) => input },
  );

  it('the first (and second) arrival do not pass the join; only the last one releases it', () => {
    const run = startRun(join);
    expect(run.count('branch.joined')).toBe(0);
    run.signal('approve', true);
    expect(run.count('branch.joined')).toBe(0);
    expect(run.started()).toEqual(['fast']);
    expect(run.state.status).toBe('waiting');
    run.tick(3_600_000);
    expect(run.count('branch.joined')).toBe(1);
    expect(run.started()).toEqual(['fast', 'ship']);
    expect(run.state.steps.ship.output).toEqual({ fast: 'fast', approved: true });
    expect(run.state.status).toBe('completed');
  });

  it('two arrivals on the same incoming edge do not stand in for another edge', () => {
    // A non-interrupting boundary sends a second token down a's branch: `mid` runs twice.
    const run = startRun(
      flow(
        `
format: runloom/v1
id: twice-same-edge
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: hold, boundary: [{ on: timer, after: 1s, to: mid, interrupting: false }] }
  - { id: mid, type: task, action: pass }
  - { id: b, type: task, action: hold }
  - { id: join, type: parallel }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: a }
  - { from: fork, to: b }
  - { from: a, to: mid }
  - { from: mid, to: join }
  - { from: b, to: join }
  - { from: join, to: done }
`,
        { hold: () => HOLD, pass: () => 1 },
      ),
    );
    run.tick(1000);
    run.complete('a', 1);
    expect(run.count('step.started', 'mid')).toBe(2);
    expect(run.count('branch.joined')).toBe(0);
    expect(run.state.status).toBe('running');
    run.complete('b', 1);
    expect(run.count('branch.joined')).toBe(1);
    // The surplus arrival can never be matched: the run says so instead of hanging.
    expect(run.state.status).toBe('failed');
    expect(run.state.error).toMatchObject({ code: 'JOIN_NEVER_FIRES' });
    expect(run.state.error?.message).toContain("'join'");
  });
});

describe('regression: default edges ignored', () => {
  const routed = flow(
    `
format: runloom/v1
id: defaults
nodes:
  - { id: start, type: start }
  - { id: route, type: decision }
  - { id: fallback, type: task, action: t }
  - { id: special, type: task, action: t }
  - { id: notify, type: task, action: t, output: kind }
  - { id: any, type: inclusive }
  - { id: x, type: task, action: t }
  - { id: y, type: task, action: t }
  - { id: join, type: inclusive }
  - { id: done, type: end }
edges:
  - { from: start, to: route }
  - { from: route, to: fallback, default: true }
  - { from: route, to: special, when: "input.special" }
  - { from: fallback, to: notify }
  - { from: special, to: notify }
  - { from: notify, to: any }
  - { from: any, to: y, default: true }
  - { from: any, to: x, when: "input.x" }
  - { from: x, to: join }
  - { from: y, to: join }
  - { from: join, to: done }
`,
    { t: (_i, ctx) => ctx.nodeId },
  );

  it('a decision takes its default edge when no condition holds, wherever it stands in the file', () => {
    expect(startRun(routed, { input: {} }).started()).toEqual(['fallback', 'notify', 'y']);
  });

  it('a default edge listed first is not taken when a condition holds', () => {
    expect(startRun(routed, { input: { special: true, x: true } }).started()).toEqual(['special', 'notify', 'x']);
  });

  it('a task whose conditional edges all miss leaves by its default edge', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: task-default
nodes:
  - { id: start, type: start }
  - { id: t, type: task, action: t }
  - { id: a, type: end }
  - { id: b, type: end }
edges:
  - { from: start, to: t }
  - { from: t, to: a, when: "false" }
  - { from: t, to: b, default: true }
`,
        { t: () => 1 },
      ),
    );
    expect(run.eventsOf('branch.ended').map((e) => e.nodeId)).toEqual(['b']);
    expect(run.state.status).toBe('completed');
  });
});

describe('regression: falsy values (0, false, "") dropped in mappings', () => {
  const falsy = flow(
    `
format: runloom/v1
id: falsy
output: { count: "=vars.count", flag: "=vars.flag", text: "=vars.text", items: "=vars.items", answer: "=vars.answer" }
nodes:
  - { id: start, type: start }
  - { id: count, type: task, action: echo, input: { v: "=input.count" }, output: count }
  - { id: flag, type: task, action: echo, input: { v: "=input.flag" }, output: flag }
  - { id: text, type: task, action: echo, input: { v: "=input.text" }, output: text }
  - id: each
    type: map
    items: "=input.list"
    do: { type: task, action: echo, input: { v: "=item", i: "=index" } }
    output: items
  - { id: answer, type: wait, signal: answer, output: answer }
  - { id: route, type: decision }
  - { id: zero, type: end }
  - { id: other, type: end }
edges:
  - { from: start, to: count }
  - { from: count, to: flag }
  - { from: flag, to: text }
  - { from: text, to: each }
  - { from: each, to: answer }
  - { from: answer, to: route }
  - { from: route, to: zero, when: "vars.count = 0 and vars.flag = false and vars.text = ''" }
  - { from: route, to: other, default: true }
`,
    { echo: ({ v }) => v },
  );

  it('0, false and "" go through inputs, outputs, map items, signals, conditions and the run output', () => {
    const run = startRun(falsy, { input: { count: 0, flag: false, text: '', list: [0, false, '', 1] } });
    expect(run.effectsOf('step.execute').map((e) => e.input)).toEqual([
      { v: 0 },
      { v: false },
      { v: '' },
      { v: 0, i: 0 },
      { v: false, i: 1 },
      { v: '', i: 2 },
      { v: 1, i: 3 },
    ]);
    run.signal('answer', 0);
    expect(run.state.vars).toEqual({ count: 0, flag: false, text: '', items: [0, false, '', 1], answer: 0 });
    expect(run.eventsOf('branch.ended').map((e) => e.nodeId)).toEqual(['zero']);
    expect(run.state.output).toEqual({ count: 0, flag: false, text: '', items: [0, false, '', 1], answer: 0 });
    expect(run.replayed()).toEqual(run.state);
  });

  it('a signal whose payload is false resolves the wait (false is not "no payload")', () => {
    const run = startRun(falsy, { input: { count: 1, flag: true, text: 'x', list: [] } });
    run.signal('answer', false);
    expect(run.state.vars.answer).toBe(false);
    expect(run.state.status).toBe('completed');
  });
});

describe('regression: the last node of a sequence never executed', () => {
  for (let length = 1; length <= 5; length++) {
    it(`a sequence of ${length} task(s) runs every one of them, the last included`, () => {
      const ids = Array.from({ length }, (_, i) => `s${i + 1}`);
      const nodes = [
        { id: 'start', type: 'start' },
        ...ids.map((id) => ({ id, type: 'task', action: 't', output: id })),
        { id: 'done', type: 'end' },
      ];
      const chain = ['start', ...ids, 'done'];
      const edges = chain.slice(1).map((to, i) => ({ from: chain[i], to }));
      const run = startRun(flow({ format: 'runloom/v1', id: 'chain', nodes, edges }, { t: (_i, ctx) => ctx.nodeId }));
      expect(run.started()).toEqual(ids);
      expect(Object.keys(run.state.vars)).toEqual(ids);
      expect(run.state.status).toBe('completed');
    });
  }

  it('the last node before the end runs when it is a wait, a timer or reached through a join', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: tail
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: a, type: task, action: t }
  - { id: b, type: task, action: t }
  - { id: join, type: parallel }
  - { id: last, type: task, action: t, output: last }
  - { id: hold, type: wait, signal: go }
  - { id: nap, type: timer, duration: 1s }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: a }
  - { from: fork, to: b }
  - { from: a, to: join }
  - { from: b, to: join }
  - { from: join, to: last }
  - { from: last, to: hold }
  - { from: hold, to: nap }
  - { from: nap, to: done }
`,
        { t: (_i, ctx) => ctx.nodeId },
      ),
    );
    expect(run.state.vars.last).toBe('last');
    run.signal('go');
    run.tick(1000);
    expect(run.state.steps.nap.status).toBe('completed');
    expect(run.state.status).toBe('completed');
  });
});

describe('regression: paused or waiting time counted against maxTime', () => {
  const oneMinute = (node: string, extra = '') =>
    flow(
      `
format: runloom/v1
id: max-time
defaults: { limits: { maxTime: 1m } }
nodes:
  - { id: start, type: start }
  - { id: first, type: task, action: work }
  ${node}
  - { id: last, type: task, action: work }
  - { id: done, type: end }
edges: [{ from: start, to: first }, { from: first, to: middle }, { from: middle, to: last }, { from: last, to: done }]
${extra}`,
      { work: () => 'ok', flaky: () => HOLD },
    );
  const DAY = 86_400_000;

  it('a day waiting for a signal is not active time', () => {
    const run = startRun(oneMinute('- { id: middle, type: wait, signal: go }'), { stepMs: 10_000 });
    run.tick(DAY);
    run.signal('go');
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.activeMs).toBe(20_000);
  });

  it('a day waiting for a timer is not active time', () => {
    const run = startRun(oneMinute('- { id: middle, type: timer, duration: 1d }'), { stepMs: 10_000 });
    run.tick(DAY);
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.activeMs).toBe(20_000);
  });

  it('a day paused is not active time', () => {
    const run = startRun(oneMinute('- { id: middle, type: task, action: flaky }'), { stepMs: 10_000 });
    run.pause();
    run.tick(DAY);
    run.complete('middle', 'ok');
    run.resume();
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.activeMs).toBeLessThan(60_000);
    expect(run.count('limit.reached')).toBe(0);
  });

  it('active time still counts while steps run, and the limit stops the run', () => {
    const run = startRun(oneMinute('- { id: middle, type: task, action: flaky }'), { stepMs: 10_000 });
    run.tick(DAY);
    run.complete('middle', 'ok');
    expect(run.state.status).toBe('failed');
    expect(run.state.reason).toBe('max_time');
  });
});

describe('regression: a paused run that cannot be resumed', () => {
  const twoSteps = flow(
    `
format: runloom/v1
id: resumable
defaults: { limits: { maxSteps: 1 }, onLimit: pause }
nodes:
  - { id: start, type: start }
  - { id: a, type: task, action: t }
  - { id: hold, type: wait, signal: go }
  - { id: b, type: task, action: t }
  - { id: done, type: end }
edges: [{ from: start, to: a }, { from: a, to: hold }, { from: hold, to: b }, { from: b, to: done }]
`,
    { t: (_i, ctx) => ctx.nodeId },
  );

  it('a run paused on a limit resumes after the limit is raised, also from a JSON copy of its state', () => {
    const run = startRun(twoSteps);
    expect(run.state.status).toBe('paused');
    // The stored copy is what a restarted process would resume.
    const stored = roundTrip(run.state) as RunState;
    let state = advance(stored, { type: 'limits.raised', at: 5000, limits: { maxSteps: 10 } }, run.flow).state;
    state = advance(roundTrip(state), { type: 'resume.requested', at: 6000 }, run.flow).state;
    expect(state.status).toBe('waiting');
    const after = advance(roundTrip(state), { type: 'signal.received', at: 7000, name: 'go' }, run.flow);
    expect(after.state.status).toBe('running');
    expect(after.effects).toEqual([expect.objectContaining({ type: 'step.execute', nodeId: 'b' })]);
  });

  it('a run the user paused while it waited resumes into waiting, then goes on', () => {
    const run = startRun(twoSteps, { options: { limits: { maxSteps: 10 } } });
    run.pause();
    run.resume();
    expect(run.state.status).toBe('waiting');
    run.signal('go');
    expect(run.state.status).toBe('completed');
  });

  it('a run paused by a failed branch (onBranchFailure: pause) goes on with a retry', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: pause-on-failure
defaults: { onBranchFailure: pause }
nodes: [{ id: start, type: start }, { id: a, type: task, action: t }, { id: done, type: end }]
edges: [{ from: start, to: a }, { from: a, to: done }]
`,
        { t: () => HOLD },
      ),
    );
    run.fail('a', failure('DOWN', false));
    expect(run.state.status).toBe('paused');
    run.retry();
    run.complete('a', 'ok');
    expect(run.state.status).toBe('completed');
  });
});

describe('regression: a time limit that keeps counting after a resume from a saved state', () => {
  const DAY = 86_400_000;
  const timed = flow(
    `
format: runloom/v1
id: saved
defaults: { limits: { maxTime: 1m } }
nodes:
  - { id: start, type: start }
  - { id: a, type: task, action: t }
  - { id: b, type: task, action: t }
  - { id: c, type: task, action: t }
  - { id: done, type: end }
edges: [{ from: start, to: a }, { from: a, to: b }, { from: b, to: c }, { from: c, to: done }]
`,
    { t: () => HOLD },
  );

  it('a paused run saved as JSON and resumed two days later does not count the gap', () => {
    const run = startRun(timed);
    run.tick(20_000);
    run.pause(); // 20s active
    run.complete('a', 1); // finishes while paused: b does not start
    const saved = JSON.stringify(run.state);
    let t = advance(JSON.parse(saved) as RunState, { type: 'resume.requested', at: 2 * DAY }, run.flow);
    expect(active(t.state, 2 * DAY)).toBe(20_000);
    const step = t.effects.find((e) => e.type === 'step.execute');
    expect(step).toMatchObject({ nodeId: 'b' });
    t = advance(
      roundTrip(t.state),
      { type: 'step.completed', at: 2 * DAY + 30_000, seq: (step as { seq: number }).seq, output: 1 },
      run.flow,
    );
    expect(active(t.state, 2 * DAY + 30_000)).toBe(50_000);
    expect(t.state.status).toBe('running'); // 50s < 1m: c started
    expect(t.effects).toEqual([expect.objectContaining({ type: 'step.execute', nodeId: 'c' })]);
  });

  it('run.recovered after a crash: the downtime since the last checkpoint is not active time', () => {
    const run = startRun(timed);
    run.tick(20_000);
    run.complete('a', 1); // checkpoint at 20s; b is in flight when the process dies
    const checkpoint = JSON.stringify(run.state);
    const b = run.effectsOf('step.execute')[1];
    // The process comes back a day later, recovers the run and executes b again (at-least-once).
    let t = advance(JSON.parse(checkpoint) as RunState, { type: 'run.recovered', at: DAY }, run.flow);
    expect(t.state.usage.activeMs).toBe(20_000);
    expect(t.events.map((e) => e.type)).toEqual(['run.recovered']);
    t = advance(roundTrip(t.state), { type: 'step.completed', at: DAY + 10_000, seq: b.seq, output: 1 }, run.flow);
    expect(t.state.status).toBe('running');
    expect(t.effects).toEqual([expect.objectContaining({ type: 'step.execute', nodeId: 'c' })]);
    // 20s before the crash + 10s after it
    expect(active(t.state, DAY + 10_000)).toBe(30_000);
  });

  it('run.recovered on a paused or waiting run changes no time, and is ignored on a finished run', () => {
    const run = startRun(timed);
    run.pause();
    // Probes on copies: advance() changes the state it is given.
    const t = advance(snapshotState(run.state), { type: 'run.recovered', at: DAY }, run.flow);
    expect(t.state.usage).toEqual(run.state.usage);
    expect(t.state.activeSince).toBeNull();
    run.cancel();
    expect(advance(snapshotState(run.state), { type: 'run.recovered', at: DAY }, run.flow).events).toEqual([]);
  });

  it('replaying a log that holds a run.recovered gives the same active time', () => {
    const run = startRun(timed);
    run.tick(20_000);
    run.complete('a', 1);
    run.send({ type: 'run.recovered', at: DAY });
    run.tick(10_000);
    run.complete('b', 1);
    run.tick(10_000);
    run.complete('c', 1);
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.activeMs).toBe(40_000);
    expect(run.replayed()).toEqual(run.state);
  });
});

describe('regression: unbounded main-loop iterations treated as failure', () => {
  it('a loop of 5,000 iterations with maxSteps high enough completes', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: long-loop
defaults: { limits: { maxSteps: 10001 } }
nodes:
  - { id: start, type: start }
  - { id: inc, type: task, action: inc, input: { n: "=vars.n" }, output: n }
  - { id: again, type: decision }
  - { id: done, type: end }
edges:
  - { from: start, to: inc }
  - { from: inc, to: again }
  - { from: again, to: inc, when: "vars.n < 5000" }
  - { from: again, to: done, default: true }
`,
        { inc: ({ n }) => (n ?? 0) + 1 },
      ),
      { freeze: false },
    );
    expect(run.state.status).toBe('completed');
    expect(run.state.vars.n).toBe(5000);
    expect(run.state.usage.steps).toBe(10_000);
    const keys = new Set(run.effectsOf('step.execute').map((e) => e.idempotencyKey));
    expect(keys.size).toBe(5000);
    expect(run.replayed()).toEqual(run.state);
  });

  it('20,000 gateway passes inside one advance() end at maxSteps as a limit, not as a crash', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: spin
defaults: { limits: { maxSteps: 20000 } }
nodes:
  - { id: start, type: start }
  - { id: a, type: decision }
  - { id: b, type: decision }
  - { id: done, type: end }
edges:
  - { from: start, to: a }
  - { from: a, to: b, when: "input.spin" }
  - { from: a, to: done, default: true }
  - { from: b, to: a }
`,
      ),
      { input: { spin: true }, freeze: false },
    );
    expect(run.state.status).toBe('failed');
    expect(run.state.reason).toBe('max_steps');
    expect(run.state.usage.steps).toBe(20_000);
    expect(run.states).toHaveLength(2); // all of it happened in the run.started transition
  });
});
