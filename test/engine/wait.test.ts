import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors.js';
import { failure, flow, HOLD, startRun } from './driver.js';

const approval = flow(
  `
format: runloom/v1
id: approval
nodes:
  - { id: start, type: start }
  - { id: prepare, type: task, action: prepare }
  - id: approval
    type: wait
    signal: approval
    schema: { type: object, properties: { approved: { type: boolean } }, required: [approved] }
    output: decision
  - { id: after, type: task, action: after, input: { ok: "=vars.decision.approved" } }
  - { id: done, type: end }
edges: [{ from: start, to: prepare }, { from: prepare, to: approval }, { from: approval, to: after }, { from: after, to: done }]
`,
  { prepare: () => HOLD, after: ({ ok }) => ok },
);

describe('wait', () => {
  it('waits for a signal by name; the payload becomes the output', () => {
    const run = startRun(approval);
    run.complete('prepare', null);
    expect(run.state.status).toBe('waiting');
    expect(run.state.reason).toBe('waiting_for_signal');
    expect(run.eventsOf('run.waiting').map((e) => e.data)).toEqual([{ reason: 'waiting_for_signal' }]);
    run.signal('approval', { approved: false });
    expect(run.state.vars.decision).toEqual({ approved: false });
    expect(run.state.steps.after.output).toBe(false);
    expect(run.state.status).toBe('completed');
  });

  it('a signal that arrives before the wait is buffered and taken when the wait is reached', () => {
    const run = startRun(approval);
    run.signal('approval', { approved: true });
    expect(run.count('signal.buffered')).toBe(1);
    expect(run.state.signals).toEqual([{ name: 'approval', payload: { approved: true } }]);
    run.complete('prepare', null);
    expect(run.eventsOf('wait.started')[0].data).toMatchObject({ buffered: true });
    expect(run.state.signals).toEqual([]);
    expect(run.state.vars.decision).toEqual({ approved: true });
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });

  it('refuses a payload that does not match the schema, with nothing changed', () => {
    const run = startRun(approval);
    run.complete('prepare', null);
    const before = run.state;
    const events = run.events.length;
    let refused: unknown;
    try {
      run.signal('approval', { approved: 'yes' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RequestError);
    expect(refused).toMatchObject({ code: 'INPUT_INVALID' });
    expect(run.state).toBe(before);
    expect(run.events.length).toBe(events);
    // a valid payload is still accepted afterwards
    run.signal('approval', { approved: true });
    expect(run.state.status).toBe('completed');
  });

  const callback = flow(
    `
format: runloom/v1
id: callback
nodes:
  - { id: start, type: start }
  - { id: hook, type: wait, schema: { type: object, properties: { id: { type: number } }, required: [id] }, output: result }
  - { id: done, type: end }
edges: [{ from: start, to: hook }, { from: hook, to: done }]
`,
  );

  it('a wait without a signal is resolved by a callback addressed to the node', () => {
    const run = startRun(callback);
    expect(run.state.reason).toBe('waiting_for_callback');
    expect(() => run.callback('hook', 'completed', { nope: 1 })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    run.callback('hook', 'completed', { id: 42 });
    expect(run.state.vars.result).toEqual({ id: 42 });
    expect(run.state.status).toBe('completed');
    expect(() => run.callback('hook', 'completed', { id: 1 })).toThrow(expect.objectContaining({ code: 'RUN_STATUS' }));
  });

  it('a failed callback fails the step', () => {
    const run = startRun(callback);
    run.callback('hook', 'failed', failure('REMOTE_DOWN', false));
    expect(run.state.status).toBe('failed');
    expect(run.state.error?.code).toBe('REMOTE_DOWN');
  });

  it('a callback for a node that is not waiting is refused', () => {
    const run = startRun(approval);
    expect(() => run.callback('after', 'completed', {})).toThrow(expect.objectContaining({ code: 'NOT_WAITING' }));
  });

  const timed = (withEdge: boolean) =>
    flow(
      `
format: runloom/v1
id: timed
nodes:
  - { id: start, type: start }
  - { id: answer, type: wait, signal: answer, timeout: 2d }
  - { id: ok, type: task, action: t }
  - { id: late, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: answer }
  - { from: answer, to: ok }
  ${withEdge ? '- { from: answer, to: late, timeout: true }' : '- { from: late, to: done }'}
  - { from: ok, to: done }
  ${withEdge ? '- { from: late, to: done }' : ''}
`.replace(/\n\s*\n/g, '\n'),
      { t: (_i, ctx) => ctx.nodeId },
    );

  it('on timeout follows the edge marked timeout: true', () => {
    const run = startRun(timed(true), { at: 1000 });
    expect(run.effectsOf('timer.start')).toEqual([{ type: 'timer.start', seq: 1, fireAt: 1000 + 2 * 86_400_000 }]);
    run.tick(2 * 86_400_000 - 1);
    expect(run.state.status).toBe('waiting');
    run.tick(1);
    expect(run.count('wait.timedout', 'answer')).toBe(1);
    expect(run.started()).toEqual(['late']);
    expect(run.state.status).toBe('completed');
  });

  it('a signal before the timeout cancels the timeout timer and takes the normal edge', () => {
    const run = startRun(timed(true));
    run.signal('answer', 'yes');
    expect(run.effectsOf('timer.cancel')).toEqual([{ type: 'timer.cancel', seq: 1 }]);
    expect(run.started()).toEqual(['ok']);
  });

  it('a timeout without a timeout edge fails the step', () => {
    // `late` is unreachable here only through the wait; keep it reachable via validation rules
    const run = startRun(
      flow(
        `
format: runloom/v1
id: timeout-fails
nodes:
  - { id: start, type: start }
  - { id: answer, type: wait, signal: answer, timeout: 1h }
  - { id: done, type: end }
edges: [{ from: start, to: answer }, { from: answer, to: done }]
`,
      ),
    );
    run.tick(3_600_000);
    expect(run.state.status).toBe('failed');
    expect(run.state.error).toMatchObject({ code: 'TIMEOUT' });
    expect(run.state.error?.message).toContain("'answer'");
  });

  it('a signal resolves every wait listening for it', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: broadcast
nodes:
  - { id: start, type: start }
  - { id: fork, type: parallel }
  - { id: w1, type: wait, signal: go, output: one }
  - { id: w2, type: wait, signal: go, output: two }
  - { id: join, type: parallel }
  - { id: done, type: end }
edges:
  - { from: start, to: fork }
  - { from: fork, to: w1 }
  - { from: fork, to: w2 }
  - { from: w1, to: join }
  - { from: w2, to: join }
  - { from: join, to: done }
`,
      ),
    );
    run.signal('go', 7);
    expect(run.state.vars).toEqual({ one: 7, two: 7 });
    expect(run.state.status).toBe('completed');
  });
});
