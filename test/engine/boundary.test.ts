import { describe, expect, it } from 'vitest';
import { failure, flow, HOLD, startRun } from './driver.js';

const charge = (boundary: string, retry = '') =>
  flow(
    `
format: runloom/v1
id: charge
nodes:
  - { id: start, type: start }
  - id: charge
    type: task
    action: charge
    output: receipt
    ${retry}
    boundary:
${boundary}
      - { on: signal, signal: never-fix, to: fix }
      - { on: signal, signal: never-remind, to: remind }
  - { id: fix, type: task, action: side }
  - { id: remind, type: task, action: side }
  - { id: done, type: end }
edges:
  - { from: start, to: charge }
  - { from: charge, to: done }
  - { from: fix, to: done }
  - { from: remind, to: done }
`,
    { charge: () => HOLD, side: (_i, ctx) => ctx.nodeId },
  );

describe('boundary events', () => {
  describe('error', () => {
    const errorFlow = charge('      - { on: error, code: CARD_DECLINED, to: fix }');

    it('an error with the boundary code goes to the boundary target', () => {
      const run = startRun(errorFlow);
      run.fail('charge', failure('CARD_DECLINED', false));
      expect(run.eventsOf('boundary.triggered', 'charge').map((e) => e.data)).toEqual([
        { on: 'error', code: 'CARD_DECLINED', to: 'fix' },
      ]);
      expect(run.state.steps.charge).toMatchObject({ status: 'failed', error: { code: 'CARD_DECLINED' } });
      expect(run.started()).toEqual(['charge', 'fix']);
      expect(run.count('branch.failed')).toBe(0);
      expect(run.state.status).toBe('completed');
    });

    it('an error with another code is not caught', () => {
      const run = startRun(errorFlow);
      run.fail('charge', failure('TIMEOUT', false));
      expect(run.count('boundary.triggered')).toBe(0);
      expect(run.state.status).toBe('failed');
      expect(run.state.error?.code).toBe('TIMEOUT');
    });

    it('an error boundary without a code catches every error', () => {
      const run = startRun(charge('      - { on: error, to: fix }'));
      run.fail('charge', failure('ANYTHING', false));
      expect(run.started()).toEqual(['charge', 'fix']);
      expect(run.state.status).toBe('completed');
    });

    it('catches only once retries are spent', () => {
      const run = startRun(charge('      - { on: error, code: FLAKY, to: fix }', 'retry: { maxAttempts: 2, initialDelay: 1s }'));
      run.fail('charge', failure('FLAKY'));
      expect(run.count('boundary.triggered')).toBe(0);
      run.tick(1000);
      run.fail('charge', failure('FLAKY'));
      expect(run.count('boundary.triggered')).toBe(1);
      expect(run.started()).toEqual(['charge', 'charge', 'fix']);
    });
  });

  describe('timer', () => {
    it('an interrupting timer cancels the step and moves the token to its target', () => {
      const run = startRun(charge('      - { on: timer, after: 10m, to: remind }'));
      const step = run.effectsOf('step.execute')[0];
      expect(run.effectsOf('timer.start')).toEqual([{ type: 'timer.start', seq: 2, fireAt: 600_000 }]);
      run.tick(600_000);
      expect(run.effectsOf('step.cancel').map((e) => e.seq)).toEqual([step.seq]);
      expect(run.eventsOf('boundary.triggered')[0].data).toEqual({ on: 'timer', to: 'remind', interrupting: true });
      expect(run.started()).toEqual(['charge', 'remind']);
      expect(run.state.status).toBe('completed');
      // the cancelled step's late result is ignored
      expect(run.send({ type: 'step.completed', seq: step.seq, output: 'late' }).events).toEqual([]);
      expect(run.state.vars.receipt).toBeUndefined();
    });

    it('a timer boundary is cancelled when the step completes first', () => {
      const run = startRun(charge('      - { on: timer, after: 1h, to: remind }'));
      run.complete('charge', 'paid');
      expect(run.effectsOf('timer.cancel')).toEqual([{ type: 'timer.cancel', seq: 2 }]);
      expect(run.timers.size).toBe(0);
      expect(run.state.status).toBe('completed');
    });

    it('a non-interrupting timer starts a new branch while the step continues', () => {
      const run = startRun(charge('      - { on: timer, after: 10m, to: remind, interrupting: false }'));
      run.tick(600_000);
      expect(run.effectsOf('step.cancel')).toEqual([]);
      expect(run.started()).toEqual(['charge', 'remind']);
      expect(run.effectsOf('step.execute')[1].idempotencyKey).toBe('run-1:remind:1:0.b0');
      expect(run.state.status).toBe('running'); // charge still runs
      expect(run.steps.size).toBe(1);
      run.complete('charge', 'paid');
      expect(run.state.vars.receipt).toBe('paid');
      expect(run.count('branch.ended')).toBe(2);
      expect(run.state.status).toBe('completed');
      expect(run.replayed()).toEqual(run.state);
    });
  });

  describe('signal', () => {
    it('an interrupting signal boundary cancels the step and moves on', () => {
      const run = startRun(charge('      - { on: signal, signal: cancelOrder, to: fix }'));
      run.signal('cancelOrder', { why: 'changed mind' });
      expect(run.effectsOf('step.cancel')).toHaveLength(1);
      expect(run.count('signal.buffered')).toBe(0);
      expect(run.started()).toEqual(['charge', 'fix']);
      expect(run.state.status).toBe('completed');
    });

    it('a non-interrupting signal boundary runs beside the step', () => {
      const run = startRun(charge('      - { on: signal, signal: ping, to: remind, interrupting: false }'));
      run.signal('ping');
      expect(run.started()).toEqual(['charge', 'remind']);
      expect(run.steps.size).toBe(1);
      run.complete('charge', 'paid');
      expect(run.state.status).toBe('completed');
    });

    it('a signal boundary on a wait node interrupts the wait', () => {
      const run = startRun(
        flow(
          `
format: runloom/v1
id: wait-boundary
nodes:
  - { id: start, type: start }
  - id: answer
    type: wait
    signal: answer
    boundary: [{ on: signal, signal: abort, to: aborted }, { on: timer, after: 1d, to: aborted }]
  - { id: aborted, type: end }
  - { id: done, type: end }
edges: [{ from: start, to: answer }, { from: answer, to: done }]
`,
        ),
      );
      run.signal('abort');
      expect(run.count('boundary.triggered', 'answer')).toBe(1);
      expect(run.effectsOf('timer.cancel')).toHaveLength(1); // the 1d boundary timer
      expect(run.state.status).toBe('completed');
      expect(() => run.signal('answer')).toThrow(expect.objectContaining({ code: 'RUN_STATUS' }));
    });
  });

  it('an interrupting timer on a map cancels every item in flight', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: map-boundary
nodes:
  - { id: start, type: start }
  - id: each
    type: map
    items: [1, 2, 3]
    do: { type: task, action: t }
    boundary: [{ on: timer, after: 1m, to: slow }]
  - { id: slow, type: end }
  - { id: done, type: end }
edges: [{ from: start, to: each }, { from: each, to: done }]
`,
        { t: () => HOLD },
      ),
    );
    expect(run.steps.size).toBe(3);
    run.tick(60_000);
    expect(run.effectsOf('step.cancel')).toHaveLength(3);
    expect(run.steps.size).toBe(0);
    expect(run.state.status).toBe('completed');
    expect(run.state.pending).toEqual({});
  });
});
