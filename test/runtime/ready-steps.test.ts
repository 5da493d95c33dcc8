/** The loop that applies synchronously finished steps (ReadySteps), on its own. */
import { describe, expect, it } from 'vitest';
import type { LiveRun } from '../../src/runtime/live-run.js';
import { ReadySteps } from '../../src/runtime/ready-steps.js';
import type { StepCall } from '../../src/runtime/step-call.js';

const live = {} as LiveRun;
const call = (n: number) => ({ seq: n }) as unknown as StepCall;
/** White box: how many slots the queue's arrays hold (applied ones included until dropped). */
const slots = (ready: ReadySteps) => (ready as unknown as { lives: unknown[] }).lives.length;

describe('ReadySteps', () => {
  it('applies results in the order they came, after the outermost transition', () => {
    const applied: number[] = [];
    const ready = new ReadySteps((_, c) => applied.push(c.seq));
    ready.hold();
    ready.hold();
    ready.push(live, call(1), { output: 1 }, undefined);
    ready.push(live, call(2), undefined, new Error('two'));
    ready.release();
    expect(applied).toEqual([]);
    ready.release();
    expect(applied).toEqual([1, 2]);
    ready.push(live, call(3), { output: 3 }, undefined);
    expect(applied).toEqual([1, 2, 3]);
  });

  it('a chain that queues its next result as it applies one runs to its end in slices, its queue staying small', async () => {
    const total = 2_000_000;
    let applied = 0;
    let most = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    let immediateRanAt = -1;
    setImmediate(() => {
      immediateRanAt = applied;
    });
    const ready: ReadySteps = new ReadySteps((_, c) => {
      applied++;
      most = Math.max(most, slots(ready));
      if (c.seq < total) ready.push(live, call(c.seq + 1), { output: null }, undefined);
      else done();
    });
    ready.push(live, call(1), { output: null }, undefined);
    await finished;
    expect(applied).toBe(total);
    // The event loop had turns while the chain ran.
    expect(immediateRanAt).toBeGreaterThan(0);
    expect(immediateRanAt).toBeLessThan(total);
    // Applied slots are dropped at each turn, not kept until the chain ends.
    expect(most).toBeLessThan(total / 4);
    expect(slots(ready)).toBe(0);
  });
});
