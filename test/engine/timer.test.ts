import { describe, expect, it } from 'vitest';
import { flow, startRun } from './driver.js';

const timerFlow = (spec: string) =>
  flow(
    `
format: runloom/v1
id: timer
nodes:
  - { id: start, type: start }
  - { id: prep, type: task, action: prep, output: when }
  - { id: cool, type: timer, ${spec} }
  - { id: after, type: task, action: after }
  - { id: done, type: end }
edges: [{ from: start, to: prep }, { from: prep, to: cool }, { from: cool, to: after }, { from: after, to: done }]
`,
    { prep: (_i, ctx) => ctx.now + 5000, after: () => 'after' },
  );

describe('timer', () => {
  it('a duration timer starts a durable timer and continues when it fires', () => {
    const run = startRun(timerFlow('duration: 1h'), { at: 10_000 });
    expect(run.effectsOf('timer.start')).toEqual([{ type: 'timer.start', seq: 2, fireAt: 10_000 + 3_600_000 }]);
    expect(run.state.status).toBe('waiting');
    expect(run.state.reason).toBe('waiting_for_timer');
    expect(run.count('timer.started', 'cool')).toBe(1);
    run.tick(3_599_999);
    expect(run.started()).toEqual(['prep']);
    run.tick(1);
    expect(run.started()).toEqual(['prep', 'after']);
    expect(run.state.steps.cool.output).toEqual({ firedAt: 3_610_000 });
    expect(run.state.status).toBe('completed');
    expect(run.state.usage.steps).toBe(3);
  });

  it('an until timer fires at the time given by an expression', () => {
    const run = startRun(timerFlow('until: "=vars.when"'), { at: 1000 });
    expect(run.effectsOf('timer.start')).toEqual([{ type: 'timer.start', seq: 2, fireAt: 6000 }]);
    run.tick(5000);
    expect(run.state.status).toBe('completed');
  });

  it('an until timer with an ISO date fires at that date', () => {
    const at = Date.parse('2030-01-01T00:00:00Z');
    const run = startRun(timerFlow('until: "2030-01-01T12:00:00Z"'), { at });
    expect(run.effectsOf('timer.start')[0].fireAt).toBe(at + 12 * 3_600_000);
  });

  it('an until in the past fires at once without a timer', () => {
    const run = startRun(timerFlow('until: "2001-01-01T00:00:00Z"'), { at: Date.parse('2030-01-01T00:00:00Z') });
    expect(run.effectsOf('timer.start')).toEqual([]);
    expect(run.state.status).toBe('completed');
  });

  it('an until that is not a time fails the step', () => {
    const run = startRun(timerFlow('until: "=\'soon\'"'));
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('TIMER_INVALID');
  });

  it('a timer fired for a seq that is not pending is ignored', () => {
    const run = startRun(timerFlow('duration: 1m'));
    const before = run.state;
    expect(run.send({ type: 'timer.fired', seq: 99 }).events).toEqual([]);
    expect(run.state).toBe(before);
  });
});
