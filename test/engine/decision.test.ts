import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors.js';
import { flow, startRun } from './driver.js';

const auto = flow(
  `
format: runloom/v1
id: route
nodes:
  - { id: start, type: start }
  - { id: route, type: decision }
  - { id: gold, type: task, action: t }
  - { id: big, type: task, action: t }
  - { id: other, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: route }
  - { from: route, to: other, default: true }
  - { from: route, to: gold, when: "input.tier = 'gold'" }
  - { from: route, to: big, when: "input.amount > 100" }
  - { from: gold, to: done }
  - { from: big, to: done }
  - { from: other, to: done }
`,
  { t: (_input, ctx) => ctx.nodeId },
);

describe('decision (auto)', () => {
  it('takes the first true edge in file order, even when a later one also holds', () => {
    const run = startRun(auto, { input: { tier: 'gold', amount: 500 } });
    expect(run.started()).toEqual(['gold']);
    expect(run.eventsOf('decision.taken', 'route').map((e) => e.data)).toEqual([{ to: 'gold' }]);
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.steps).toBe(2); // the decision counts as a step
  });

  it('takes a later true edge when the earlier ones do not hold', () => {
    const run = startRun(auto, { input: { tier: 'silver', amount: 500 } });
    expect(run.started()).toEqual(['big']);
  });

  it('takes the default edge (wherever it stands in the file) when no condition holds', () => {
    const run = startRun(auto, { input: { tier: 'silver', amount: 5 } });
    expect(run.started()).toEqual(['other']);
    expect(run.eventsOf('decision.taken')[0].data).toEqual({ to: 'other' });
  });

  it('a condition giving 0, "" or false does not hold; a non-empty value does', () => {
    const truthy = flow(
      `
format: runloom/v1
id: truthy
nodes:
  - { id: start, type: start }
  - { id: route, type: decision }
  - { id: yes, type: task, action: t }
  - { id: no, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: route }
  - { from: route, to: yes, when: "input.v" }
  - { from: route, to: no, default: true }
  - { from: yes, to: done }
  - { from: no, to: done }
`,
      { t: () => null },
    );
    for (const [v, expected] of [
      [0, 'no'],
      ['', 'no'],
      [false, 'no'],
      [1, 'yes'],
      ['x', 'yes'],
      [true, 'yes'],
    ] as const) {
      expect(startRun(truthy, { input: { v } }).started(), `v = ${JSON.stringify(v)}`).toEqual([expected]);
    }
  });

  it('with no true edge and no default (valid, as in BPMN), the branch fails with NO_PATH naming the node', () => {
    // An all-conditional split passes validation (a warning only), so this is a normal run.
    const run = startRun(
      flow(
        `
format: runloom/v1
id: no-match
nodes:
  - { id: start, type: start }
  - { id: pick, type: decision }
  - { id: t, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: pick }
  - { from: pick, to: t, when: "input.go = true" }
  - { from: t, to: done }
`,
        { t: () => 1 },
      ),
      { input: { go: false } },
    );
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('NO_PATH');
    expect(run.state.error?.message).toContain("'pick'");
    expect(run.count('branch.failed', 'pick')).toBe(1);
    expect(run.effectsOf('run.finished')).toHaveLength(1);
  });

  it('a condition that throws fails the step with the expression named', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: throws
nodes:
  - { id: start, type: start }
  - { id: pick, type: decision }
  - { id: a, type: end }
  - { id: b, type: end }
edges:
  - { from: start, to: pick }
  - { from: pick, to: a, when: "$number('x') > 1" }
  - { from: pick, to: b, default: true }
`,
      ),
    );
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('EXPRESSION_ERROR');
    expect(run.state.error?.message).toContain("$number('x')");
  });
});

describe('decision (manual)', () => {
  const manual = flow(
    `
format: runloom/v1
id: approve
nodes:
  - { id: start, type: start }
  - { id: review, type: decision, mode: manual }
  - { id: ship, type: task, action: t }
  - { id: refuse, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: review }
  - { from: review, to: ship }
  - { from: review, to: refuse }
  - { from: ship, to: done }
  - { from: refuse, to: done }
`,
    { t: (_input, ctx) => ctx.nodeId },
  );

  it('waits with decision.requested listing the options', () => {
    const run = startRun(manual);
    expect(run.state.status).toBe('waiting');
    expect(run.state.reason).toBe('waiting_for_decision');
    expect(run.eventsOf('decision.requested', 'review').map((e) => e.data)).toEqual([{ options: ['ship', 'refuse'] }]);
    expect(run.effectsOf('step.execute')).toEqual([]);
  });

  it('a person picks an edge; the choice is recorded and the run goes on', () => {
    const run = startRun(manual);
    run.decide('review', 'refuse', 'ada');
    expect(run.started()).toEqual(['refuse']);
    expect(run.state.steps.review).toMatchObject({ status: 'completed', output: { to: 'refuse', by: 'ada' } });
    expect(run.state.status).toBe('completed');
    expect(run.eventsOf('decision.made')[0].data).toMatchObject({ nodeId: 'review', to: 'refuse', by: 'ada' });
    // Replay takes the recorded choice; nobody is asked again.
    expect(run.replayed()).toEqual(run.state);
  });

  it('refuses an edge the decision does not have, naming the options, and changes nothing', () => {
    const run = startRun(manual);
    const before = run.state;
    const refused = (() => {
      try {
        run.decide('review', 'nowhere');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(RequestError);
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect((refused as Error).message).toContain('ship, refuse');
    expect(run.state).toBe(before);
  });

  it('refuses deciding twice, and deciding a node that does not wait', () => {
    const run = startRun(manual);
    run.decide('review', 'ship');
    expect(() => run.decide('review', 'refuse')).toThrow(expect.objectContaining({ code: 'RUN_STATUS' }));
    const other = startRun(manual);
    expect(() => other.decide('ship', 'done')).toThrow(expect.objectContaining({ code: 'NOT_WAITING' }));
    // While the first decision is still open, deciding it twice in a row is refused the second time.
    const third = startRun(
      flow(
        `
format: runloom/v1
id: twice
nodes:
  - { id: start, type: start }
  - { id: review, type: decision, mode: manual }
  - { id: hold, type: wait, signal: go }
  - { id: done, type: end }
edges:
  - { from: start, to: review }
  - { from: review, to: hold }
  - { from: review, to: done }
  - { from: hold, to: done }
`,
      ),
    );
    third.decide('review', 'hold');
    expect(third.state.status).toBe('waiting');
    expect(() => third.decide('review', 'done')).toThrow(expect.objectContaining({ code: 'NOT_WAITING' }));
    expect(third.count('decision.made')).toBe(1);
  });
});

describe('ai decisions (mode: ai)', () => {
  const triage = flow(`
format: runloom/v1
id: triage
nodes:
  - { id: start, type: start }
  - { id: route, type: decision, mode: ai, prompt: "Where does {{input.text}} go?" }
  - { id: refund, type: end }
  - { id: escalate, type: end }
edges:
  - { from: start, to: route }
  - { from: route, to: refund, when: "input.amount < 100" }
  - { from: route, to: escalate, default: true }
`);

  it('asks the shell with the question and the edges, takes the edge named, and records choice and reason', () => {
    const run = startRun(triage, { input: { text: 'x', amount: 1 }, auto: false });
    const [ask] = run.effectsOf('step.execute');
    expect(ask).toMatchObject({ nodeId: 'route', nodeType: 'decision' });
    expect(ask.input).toEqual({
      prompt: 'Where does x go?',
      options: [
        { to: 'refund', when: 'input.amount < 100' },
        { to: 'escalate', default: true },
      ],
    });
    run.send({ type: 'step.completed', seq: ask.seq, output: { to: 'escalate', reason: 'r' } });
    expect(run.state.status).toBe('completed');
    expect(run.eventsOf('decision.taken', 'route')[0].data).toEqual({ to: 'escalate', by: 'ai', reason: 'r' });
    expect(run.replayed()).toEqual(run.state);
  });

  it('an answer naming no edge fails the decision (engine)', () => {
    const run = startRun(triage, { input: { text: 'x', amount: 1 }, auto: false });
    const [ask] = run.effectsOf('step.execute');
    run.send({ type: 'step.completed', seq: ask.seq, output: { to: 'done', reason: 'r' } });
    expect(run.state.status).toBe('failed');
    expect(run.state.error).toMatchObject({ code: 'AI_DECISION_INVALID' });
    expect(run.state.error?.message).toMatch(/the model chose "done", not one of refund, escalate/);
  });
});
