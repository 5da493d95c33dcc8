/**
 * Regression: `output: __proto__` made a step's result the prototype of `vars` (a later
 * `=vars.x` read through it), and `__proto__` keys in payloads could reach run state. Reserved
 * keys are refused where data enters a run, and never end up in `vars`, `steps` or `input`.
 */
import { describe, expect, it } from 'vitest';
import { RequestError, RunloomError } from '../../src/errors.js';
import { HOLD, startRun, unvalidatedFlow } from './driver.js';

/** JSON.parse makes `__proto__` an own key, as a payload arriving over HTTP or from the store has it. */
const hostile = (): Record<string, unknown> => JSON.parse('{ "ok": true, "nested": [{ "__proto__": { "polluted": true } }] }');

const waiting = unvalidatedFlow(
  `
format: runloom/v1
id: reserved
nodes:
  - { id: start, type: start }
  - { id: fetch, type: task, action: fetch, output: fetched }
  - { id: approve, type: wait, signal: approve, output: approval }
  - { id: hook, type: wait, output: hooked }
  - { id: done, type: end }
edges:
  - { from: start, to: fetch }
  - { from: fetch, to: approve }
  - { from: approve, to: hook }
  - { from: hook, to: done }
`,
  { fetch: () => HOLD },
);

function expectClean(state: { vars: object; steps: object; input: unknown }): void {
  expect(Object.getPrototypeOf(state.vars)).toBe(Object.prototype);
  expect(Object.getPrototypeOf(state.steps)).toBe(Object.prototype);
  expect(JSON.stringify(state)).not.toContain('__proto__');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('regression: reserved keys never reach run state', () => {
  it('a run input holding __proto__ is refused before the run starts', () => {
    const run = startRun(waiting, { start: false });
    expect(() => run.send({ type: 'run.started', input: { customer: hostile() } })).toThrow(
      /input of flow 'reserved': input\.customer\.nested\[0\]\.__proto__ is a reserved key/,
    );
    expect(run.state.status).toBe('queued');
  });

  it('a step result holding __proto__ fails the step, naming where, and is not stored', () => {
    const run = startRun(waiting);
    run.complete('fetch', hostile());
    expect(run.state.steps.fetch.status).toBe('failed');
    expect(run.state.steps.fetch.error?.code).toBe('RESERVED_KEY');
    expect(run.state.steps.fetch.error?.message).toContain("the result of 'fetch' holds output.nested[0].__proto__");
    expect(run.state.vars.fetched).toBeUndefined();
    expect(run.state.status).toBe('failed');
  });

  it('a signal or callback payload holding __proto__ is refused, the run unchanged', () => {
    const run = startRun(waiting);
    run.complete('fetch', { ok: true });
    const before = JSON.stringify(run.state);
    expect(() => run.signal('approve', hostile())).toThrow(RequestError);
    expect(() => run.signal('approve', hostile())).toThrow(/signal 'approve': payload\.nested\[0\]\.__proto__ is a reserved key/);
    expect(JSON.stringify(run.state)).toBe(before);
    run.signal('approve', { yes: true });
    expect(() => run.callback('hook', 'completed', { constructor: 1 })).toThrow(
      /callback for 'hook': output\.constructor is a reserved key/,
    );
    run.callback('hook', 'completed', { fine: 1 });
    expect(run.state.status).toBe('completed');
    expect(run.state.vars).toEqual({ fetched: { ok: true }, approval: { yes: true }, hooked: { fine: 1 } });
    expectClean(run.state);
  });

  it('a flow whose output or node id is reserved does not compile, even unvalidated (stored versions)', () => {
    const source = (output: string, id = 'fetch') => `
format: runloom/v1
id: bad
nodes:
  - { id: start, type: start }
  - { id: ${id}, type: task, action: fetch, output: ${output} }
  - { id: done, type: end }
edges:
  - { from: start, to: ${id} }
  - { from: ${id}, to: done }
`;
    expect(() => unvalidatedFlow(source('__proto__'))).toThrow(RunloomError);
    expect(() => unvalidatedFlow(source('__proto__'))).toThrow(/nodes\[1\]\.output: `__proto__` is reserved/);
    expect(() => unvalidatedFlow(source('order.constructor.total'))).toThrow(/`constructor` is reserved/);
    expect(() => unvalidatedFlow(source('x', 'prototype'))).toThrow(/nodes\[1\]\.id: `prototype` is reserved/);
  });
});
