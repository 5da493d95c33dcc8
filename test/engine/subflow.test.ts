import { describe, expect, it } from 'vitest';
import { failure, flow, startRun } from './driver.js';

const parent = (extra = 'boundary: [{ on: signal, signal: never, to: fix }]') =>
  flow(
    `
format: runloom/v1
id: parent
defaults:
  limits: { maxSteps: 50, maxTime: 10m, maxCredits: 100 }
nodes:
  - { id: start, type: start }
  - { id: lookup, type: task, action: lookup, cost: 30, output: customer }
  - id: billing
    type: subflow
    flow: billing-setup@2
    strategy: reasoning
    input: { customer: "=vars.customer", fixed: 1 }
    output: billing
    ${extra}
  - { id: after, type: task, action: after, input: { b: "=vars.billing" } }
  - { id: fix, type: task, action: after }
  - { id: done, type: end }
edges: [{ from: start, to: lookup }, { from: lookup, to: billing }, { from: billing, to: after }, { from: after, to: done }, { from: fix, to: done }]
`,
    { lookup: () => ({ id: 'c1' }), after: ({ b }) => b },
  );

describe('subflow', () => {
  it('starts a child run with only its mapped input, and limits drawn from what the parent has left', () => {
    const run = startRun(parent(), { stepMs: 60_000 });
    const [child] = run.effectsOf('child.start');
    expect(child).toEqual({
      type: 'child.start',
      seq: 2,
      nodeId: 'billing',
      flow: 'billing-setup',
      version: 2,
      input: { customer: { id: 'c1' }, fixed: 1 },
      // 2 steps used (lookup + billing), 1 minute active, 30 credits spent
      limits: { maxSteps: 48, maxTime: 540_000, maxCredits: 70 },
      strategy: 'reasoning',
    });
    expect(run.state.status).toBe('waiting');
    expect(run.state.reason).toBe('waiting_for_child');
    expect(run.count('child.started', 'billing')).toBe(1);
  });

  it("child.completed puts the child's output under the node's output and adds its usage", () => {
    const run = startRun(parent());
    run.completeChild(2, { account: 'A-1' }, { steps: 7, credits: 12 });
    expect(run.state.vars.billing).toEqual({ account: 'A-1' });
    expect(run.state.steps.billing.output).toEqual({ account: 'A-1' });
    expect(run.state.steps.after.output).toEqual({ account: 'A-1' });
    expect(run.state.usage).toMatchObject({ steps: 3 + 7, credits: 30 + 12 });
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });

  it('child.failed fails the node (and the run, with onBranchFailure stop)', () => {
    const run = startRun(parent());
    run.failChild(2, failure('CHILD_BROKE', false), { steps: 2, credits: 1 });
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('CHILD_BROKE');
    expect(run.state.usage.steps).toBe(4);
  });

  it('an error boundary catches a failed child', () => {
    const run = startRun(parent('boundary: [{ on: error, to: fix }]'));
    run.failChild(2, failure('CHILD_BROKE', false));
    expect(run.started()).toEqual(['lookup', 'fix']);
    expect(run.state.status).toBe('completed');
  });

  it('cancelling the parent cancels the child run', () => {
    const run = startRun(parent());
    run.cancel();
    expect(run.effectsOf('child.cancel')).toEqual([{ type: 'child.cancel', seq: 2 }]);
    expect(run.state.status).toBe('cancelled');
    expect(run.send({ type: 'child.completed', seq: 2, output: 1, usage: { steps: 1, credits: 0 } }).events).toEqual([]);
  });
});
