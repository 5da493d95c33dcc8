import { describe, expect, it } from 'vitest';
import { flow, startRun } from './driver.js';

const race = flow(
  `
format: runloom/v1
id: race
nodes:
  - { id: start, type: start }
  - { id: first, type: race }
  - { id: reply, type: wait, signal: reply, output: reply }
  - { id: approve, type: wait, signal: approve }
  - { id: late, type: timer, duration: 1h }
  - { id: thank, type: task, action: t }
  - { id: remind, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: first }
  - { from: first, to: reply }
  - { from: first, to: approve }
  - { from: first, to: late }
  - { from: reply, to: thank }
  - { from: approve, to: thank }
  - { from: late, to: remind }
  - { from: thank, to: done }
  - { from: remind, to: done }
`,
  { t: (_i, ctx) => ctx.nodeId },
);

describe('race (event-based gateway)', () => {
  it('arms every wait and timer it points to', () => {
    const run = startRun(race);
    expect(run.state.status).toBe('waiting');
    expect(run.count('wait.started')).toBe(2);
    expect(run.effectsOf('timer.start')).toEqual([{ type: 'timer.start', seq: 1, fireAt: 3_600_000 }]);
    expect(new Set(run.state.tokens.map((t) => t.race))).toEqual(new Set([1]));
  });

  it('the first wait to be resolved wins; the timer is cancelled and the other wait withdrawn', () => {
    const run = startRun(race);
    run.tick(60_000);
    run.signal('reply', { text: 'yes' });
    expect(run.effectsOf('timer.cancel')).toEqual([{ type: 'timer.cancel', seq: 1 }]);
    expect(run.timers.size).toBe(0);
    expect(run.eventsOf('token.cancelled').map((e) => [e.nodeId, (e.data as { reason: string }).reason])).toEqual([
      ['approve', 'race_lost'],
      ['late', 'race_lost'],
    ]);
    expect(run.started()).toEqual(['thank']);
    expect(run.state.vars.reply).toEqual({ text: 'yes' });
    expect(run.state.status).toBe('completed');
    expect(run.replayed()).toEqual(run.state);
  });

  it('the timer wins when it fires first; later signals no longer resume anything', () => {
    const run = startRun(race);
    run.tick(3_600_000);
    expect(run.started()).toEqual(['remind']);
    expect(run.state.status).toBe('completed');
    expect(run.count('token.cancelled')).toBe(2);
    expect(() => run.signal('reply', {})).toThrow(expect.objectContaining({ code: 'RUN_STATUS' }));
    expect(run.count('step.started', 'thank')).toBe(0);
  });

  it('a signal that only a lost wait listened for is buffered, not applied', () => {
    const run = startRun(
      flow(
        `
format: runloom/v1
id: race-then-wait
nodes:
  - { id: start, type: start }
  - { id: first, type: race }
  - { id: a, type: wait, signal: a }
  - { id: b, type: wait, signal: b }
  - { id: hold, type: wait, signal: c }
  - { id: done, type: end }
edges:
  - { from: start, to: first }
  - { from: first, to: a }
  - { from: first, to: b }
  - { from: a, to: hold }
  - { from: b, to: hold }
  - { from: hold, to: done }
`,
      ),
    );
    run.signal('b');
    run.signal('a');
    expect(run.count('signal.buffered')).toBe(1);
    expect(run.state.signals).toEqual([{ name: 'a', payload: undefined }]);
    expect(run.count('step.started')).toBe(0);
    expect(run.state.steps.a).toBeUndefined();
    expect(run.state.status).toBe('waiting');
  });
});

describe('race: leaving a member by a timeout or a boundary', () => {
  const raceWithTimeout = flow(
    `
format: runloom/v1
id: race-timeout
nodes:
  - { id: start, type: start }
  - { id: first, type: race }
  - { id: reply, type: wait, signal: reply, timeout: 1h, boundary: [{ on: signal, signal: abort, to: aborted }] }
  - { id: call, type: wait, signal: call }
  - { id: late, type: task, action: t }
  - { id: answered, type: task, action: t }
  - { id: aborted, type: task, action: t }
  - { id: done, type: end }
edges:
  - { from: start, to: first }
  - { from: first, to: reply }
  - { from: first, to: call }
  - { from: reply, to: answered }
  - { from: reply, to: late, timeout: true }
  - { from: call, to: answered }
  - { from: late, to: done }
  - { from: answered, to: done }
  - { from: aborted, to: done }
`,
    { t: (_i, ctx) => ctx.nodeId },
  );

  it("a member wait's timeout wins the race: the other members are withdrawn", () => {
    const run = startRun(raceWithTimeout);
    run.tick(3_600_000);
    expect(run.started()).toEqual(['late']);
    expect(run.eventsOf('token.cancelled').map((e) => e.nodeId)).toEqual(['call']);
    expect(run.state.status).toBe('completed');
    expect(() => run.signal('call')).toThrow(expect.objectContaining({ code: 'RUN_STATUS' }));
  });

  it('an interrupting boundary on a member wins the race too', () => {
    const run = startRun(raceWithTimeout);
    run.signal('abort');
    expect(run.started()).toEqual(['aborted']);
    expect(run.eventsOf('token.cancelled').map((e) => e.nodeId)).toEqual(['call']);
    expect(run.state.status).toBe('completed');
  });
});
