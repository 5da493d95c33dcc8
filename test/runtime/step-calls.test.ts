/** A run's steps in flight (StepCalls): the usual one in a field, parallel ones beside it. */
import { describe, expect, it } from 'vitest';
import type { StepCall } from '../../src/runtime/step-call.js';
import { StepCalls } from '../../src/runtime/step-calls.js';

/** Enough of a step call: its seq, and how many times it was aborted. */
function call(seq: number) {
  const fake = { seq, aborts: 0, abort: () => fake.aborts++ };
  return fake as unknown as StepCall & { aborts: number };
}

describe('StepCalls', () => {
  it('finds each step by seq, one or several in flight, and forgets a finished one', () => {
    const calls = new StepCalls();
    const [a, b, c] = [call(3), call(4), call(5)];
    for (const each of [a, b, c]) calls.add(each);
    expect([3, 4, 5, 6].map((seq) => calls.get(seq))).toEqual([a, b, c, undefined]);
    calls.remove(a);
    calls.remove(c);
    expect([3, 4, 5].map((seq) => calls.get(seq))).toEqual([undefined, b, undefined]);
    // The field is free again: a new step takes it, the one in the map is still found.
    const d = call(6);
    calls.add(d);
    expect([4, 6].map((seq) => calls.get(seq))).toEqual([b, d]);
  });

  it('leaves a call alone that is not the one registered under its seq', () => {
    const calls = new StepCalls();
    const first = call(7);
    const second = call(8);
    calls.add(first);
    calls.add(second);
    calls.remove(call(8));
    calls.remove(call(7));
    expect([calls.get(7), calls.get(8)]).toEqual([first, second]);
  });

  it('aborts every step in flight once and forgets them', () => {
    const calls = new StepCalls();
    const all = [call(1), call(2), call(3)];
    for (const each of all) calls.add(each);
    calls.abortAll();
    calls.abortAll();
    expect(all.map((each) => each.aborts)).toEqual([1, 1, 1]);
    expect([1, 2, 3].map((seq) => calls.get(seq))).toEqual([undefined, undefined, undefined]);
  });
});
