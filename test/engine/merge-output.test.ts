import { describe, expect, it } from 'vitest';
import { flow, startRun } from './driver.js';

/** `mergeOutput: true`: a step's result sets several variables at once (a BPMN script task's process variables). */
describe('task mergeOutput', () => {
  const merging = flow(
    `
format: runloom/v1
id: merging
nodes:
  - { id: start, type: start }
  - { id: first, type: task, action: give, input: { v: { count: 1, keep: kept } }, output: whole }
  - { id: script, type: task, action: give, input: { v: { count: "=vars.count ? vars.count + 1 : 1", "a.b": dotted } }, mergeOutput: true }
  - { id: check, type: decision }
  - { id: yes, type: end }
  - { id: no, type: end }
edges:
  - { from: start, to: first }
  - { from: first, to: script }
  - { from: script, to: check }
  - { from: check, to: yes, when: "vars.count = 1" }
  - { from: check, to: no, default: true }
`,
    { give: ({ v }) => v },
  );

  it('merges an object result into vars key by key (a dotted key stays one key) and keeps steps.<id>.output', () => {
    const run = startRun(merging);
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({ whole: { count: 1, keep: 'kept' }, count: 1, 'a.b': 'dotted' });
    expect(run.state.steps.script.output).toEqual({ count: 1, 'a.b': 'dotted' });
    expect(run.eventsOf('branch.ended', 'yes')).toHaveLength(1);
    expect(run.replayed()).toEqual(run.state);
  });

  it('a result that is not an object sets nothing', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: merging-scalar
nodes:
  - { id: start, type: start }
  - { id: t, type: task, action: give, input: { v: 3 }, mergeOutput: true }
  - { id: done, type: end }
edges: [{ from: start, to: t }, { from: t, to: done }]
`,
        { give: ({ v }) => v },
      ),
    );
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({});
  });

  it('a result holding a reserved key fails the step and sets nothing', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: merging-reserved
nodes:
  - { id: start, type: start }
  - { id: t, type: task, action: give, mergeOutput: true }
  - { id: done, type: end }
edges: [{ from: start, to: t }, { from: t, to: done }]
`,
        { give: () => JSON.parse('{"ok":1,"__proto__":{"polluted":true}}') },
      ),
    );
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('RESERVED_KEY');
    expect(run.state.vars).toEqual({});
  });
});

describe('subflow mergeOutput', () => {
  it("merges the child's output (an object) into vars: a BPMN sub-process run as a child run sets process variables", () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: parent-merging
nodes:
  - { id: start, type: start }
  - { id: sub, type: subflow, flow: child, input: "=$merge([input, vars])", mergeOutput: true }
  - { id: done, type: end }
edges: [{ from: start, to: sub }, { from: sub, to: done }]
`,
        {},
      ),
      { input: { amount: 5 } },
    );
    const [child] = run.effectsOf('child.start');
    expect(child.input).toEqual({ amount: 5 });
    run.completeChild(child.seq, { amount: 5, approved: true });
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({ amount: 5, approved: true });
    expect(run.replayed()).toEqual(run.state);
  });
});
