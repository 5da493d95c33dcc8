import { describe, expect, it } from 'vitest';
import { flow, HOLD, startRun } from './driver.js';

describe('task nodes', () => {
  const mapping = flow(
    `
format: runloom/v1
id: mapping
nodes:
  - { id: start, type: start }
  - id: lookup
    type: task
    action: crm.lookup
    input: { email: "=input.email", source: web, tags: ["=input.tag", fixed], nested: { plan: "=input.plan" }, literal: "==not an expression" }
    output: customer
  - id: greet
    type: task
    action: greet
    input: { name: "=vars.customer.name", fromSteps: "=steps.lookup.output.name" }
    output: order.greeting
  - { id: done, type: end }
edges: [{ from: start, to: lookup }, { from: lookup, to: greet }, { from: greet, to: done }]
`,
    {
      'crm.lookup': ({ email }) => ({ name: email.split('@')[0], tier: 'gold' }),
      greet: ({ name, fromSteps }) => `hello ${name}/${fromSteps}`,
    },
  );

  it('evaluates the input mapping against input, vars and steps', () => {
    const run = startRun(mapping, { input: { email: 'ada@x.io', tag: 'vip', plan: 'pro' } });
    const [lookup, greet] = run.effectsOf('step.execute');
    expect(lookup).toMatchObject({
      nodeId: 'lookup',
      nodeType: 'task',
      attempt: 1,
      input: { email: 'ada@x.io', source: 'web', tags: ['vip', 'fixed'], nested: { plan: 'pro' }, literal: '=not an expression' },
      idempotencyKey: 'run-1:lookup:1:0',
    });
    expect(greet.input).toEqual({ name: 'ada', fromSteps: 'ada' });
  });

  it('stores the output at vars.<output> (dotted paths nest) and always at steps.<id>.output', () => {
    const run = startRun(mapping, { input: { email: 'ada@x.io' } });
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({ customer: { name: 'ada', tier: 'gold' }, order: { greeting: 'hello ada/ada' } });
    expect(run.state.steps.lookup).toMatchObject({ status: 'completed', output: { name: 'ada', tier: 'gold' }, attempt: 1 });
    expect(run.state.steps.greet.output).toBe('hello ada/ada');
    expect(run.eventsOf('step.started', 'lookup')[0].data).toMatchObject({ attempt: 1 });
  });

  it('a node without `output` still records steps.<id>.output and leaves vars alone', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: no-output
nodes: [{ id: start, type: start }, { id: t, type: task, action: t }, { id: done, type: end }]
edges: [{ from: start, to: t }, { from: t, to: done }]
`,
        { t: () => ({ x: 1 }) },
      ),
    );
    expect(run.state.vars).toEqual({});
    expect(run.state.steps.t.output).toEqual({ x: 1 });
  });

  it('falsy results and inputs (0, false, "", null) are values', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: falsy
nodes:
  - { id: start, type: start }
  - { id: zero, type: task, action: give, input: { v: 0 }, output: zero }
  - { id: no, type: task, action: give, input: { v: false }, output: no }
  - { id: empty, type: task, action: give, input: { v: "" }, output: empty }
  - { id: nil, type: task, action: give, input: { v: null }, output: nil }
  - id: use
    type: task
    action: give
    input: { v: { zero: "=vars.zero", no: "=vars.no", empty: "=vars.empty", nil: "=vars.nil", fromInput: "=input.count" } }
    output: all
  - { id: done, type: end }
edges:
  - { from: start, to: zero }
  - { from: zero, to: no }
  - { from: no, to: empty }
  - { from: empty, to: nil }
  - { from: nil, to: use }
  - { from: use, to: done }
`,
        { give: ({ v }) => v },
      ),
      { input: { count: 0 } },
    );
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({
      zero: 0,
      no: false,
      empty: '',
      nil: null,
      all: { zero: 0, no: false, empty: '', nil: null, fromInput: 0 },
    });
    expect(run.state.steps.zero.output).toBe(0);
  });

  it('an input expression that fails is a step failure naming the node and the expression', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: bad-expr
nodes:
  - { id: start, type: start }
  - { id: calc, type: task, action: t, input: { x: "=$number('abc')" } }
  - { id: done, type: end }
edges: [{ from: start, to: calc }, { from: calc, to: done }]
`,
        { t: () => 1 },
      ),
    );
    expect(run.state.status).toBe('failed');
    expect(run.state.reason).toBe('branch_failed');
    expect(run.state.error?.code).toBe('EXPRESSION_ERROR');
    expect(run.state.error?.message).toContain('calc');
    expect(run.state.error?.message).toContain("$number('abc')");
    expect(run.effectsOf('step.execute')).toEqual([]);
  });

  it('a task with several outgoing edges forks along every edge whose condition holds', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: implicit-fork
nodes:
  - { id: start, type: start }
  - { id: t, type: task, action: t, output: n }
  - { id: big, type: task, action: t }
  - { id: small, type: task, action: t }
  - { id: always, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: t }
  - { from: t, to: big, when: "vars.n > 10" }
  - { from: t, to: small, when: "vars.n <= 10" }
  - { from: t, to: always }
  - { from: big, to: done }
  - { from: small, to: done }
  - { from: always, to: done }
`,
        { t: () => 5 },
      ),
    );
    expect(run.started()).toEqual(['t', 'small', 'always']);
    expect(run.eventsOf('branch.forked')[0].data).toEqual({ tokens: [2, 3] });
    expect(run.state.status).toBe('completed');
  });

  it('a step result for an unknown or settled seq is ignored (at-least-once delivery)', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: dup
nodes: [{ id: start, type: start }, { id: t, type: task, action: t }, { id: done, type: end }]
edges: [{ from: start, to: t }, { from: t, to: done }]
`,
        { t: () => HOLD },
      ),
    );
    const seq = run.effectsOf('step.execute')[0].seq;
    run.complete(seq, 'first');
    const done = run.state;
    for (const event of [
      { type: 'step.completed' as const, seq, output: 'second' },
      { type: 'step.failed' as const, seq, error: { code: 'X', message: 'x' } },
      { type: 'step.completed' as const, seq: 999, output: 'nope' },
    ]) {
      expect(run.send(event).events).toEqual([]);
    }
    expect(run.state).toBe(done);
    expect(run.state.vars).toEqual({});
    expect(run.state.steps.t.output).toBe('first');
  });

  it('an input that is the whole of vars or steps is a copy: the run going on does not change a step already started', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: aliasing
nodes:
  - { id: start, type: start }
  - { id: a, type: task, action: put, input: { n: 1 }, output: first }
  - { id: b, type: task, action: echo, input: "=vars" }
  - { id: c, type: task, action: echo, input: "={'all': vars, 'done': steps}" }
  - { id: d, type: task, action: put, input: { n: 2 }, output: second }
  - { id: done, type: end }
edges: [{ from: start, to: a }, { from: a, to: b }, { from: b, to: c }, { from: c, to: d }, { from: d, to: done }]
`,
        { put: ({ n }) => n, echo: (input) => input },
      ),
    );
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({ first: 1, second: 2 });
    const [, b, c] = run.effectsOf('step.execute');
    expect(b.input).toEqual({ first: 1 });
    expect(c.input).toEqual({ all: { first: 1 }, done: { a: expect.objectContaining({ output: 1 }), b: expect.anything() } });
    expect(Object.keys((c.input as { done: object }).done)).toEqual(['a', 'b']);
    expect(run.eventsOf('step.started', 'b')[0].data).toMatchObject({ input: { first: 1 } });
    expect(run.state.output).toEqual({ first: 1, second: 2 });
    expect(run.state.output).not.toBe(run.state.vars);
  });
});

describe('the run in expressions', () => {
  const echo = flow(
    `
format: runloom/v1
id: run-scope
nodes:
  - { id: start, type: start }
  - { id: t, type: task, action: t, input: { id: "=run.id", strategy: "=run.strategy", parent: "=run.parentRunId" } }
  - { id: done, type: end }
edges: [{ from: start, to: t }, { from: t, to: done }]
`,
    { t: (input) => input },
  );

  it('sees the run option strategy and the parent run (what ai steps resolve their strategy from)', () => {
    const plain = startRun(echo);
    expect(plain.effectsOf('step.execute')[0].input).toEqual({ id: 'run-1' });
    const child = startRun(echo, { runId: 'c', options: { strategy: 'reasoning' } });
    expect(child.effectsOf('step.execute')[0].input).toEqual({ id: 'c', strategy: 'reasoning' });
  });
});

describe('step detail', () => {
  const held = flow(
    `
format: runloom/v1
id: detail
nodes: [{ id: start, type: start }, { id: t, type: task, action: t }, { id: u, type: task, action: t }, { id: done, type: end }]
edges: [{ from: start, to: t }, { from: t, to: u }, { from: u, to: done }]
`,
    { t: () => HOLD },
  );

  it('what an executor reports about a step is kept in its event and on its record, and replayed', () => {
    const run = startRun(held);
    const [t] = run.effectsOf('step.execute');
    run.send({ type: 'step.completed', seq: t.seq, output: 'ok', cost: 5, detail: { model: 'm', tokensIn: 3 } });
    expect(run.state.steps.t).toMatchObject({ status: 'completed', output: 'ok', detail: { model: 'm', tokensIn: 3 } });
    expect(run.eventsOf('step.completed', 't')[0].data).toEqual({
      seq: t.seq,
      output: 'ok',
      cost: 5,
      detail: { model: 'm', tokensIn: 3 },
    });
    const u = run.effectsOf('step.execute')[1];
    run.send({
      type: 'step.failed',
      seq: u.seq,
      error: { code: 'X', message: 'x', retryable: false },
      cost: 2,
      detail: { model: 'm' },
    });
    expect(run.eventsOf('step.failed', 'u')[0].data).toMatchObject({ cost: 2, detail: { model: 'm' } });
    expect(run.state.usage.credits).toBe(7);
    expect(run.replayed()).toEqual(run.state);
  });
});
