/**
 * The token index (engine/token-index.ts) must answer exactly what scanning the token list
 * answers — which token has an id, where a put lands, which tokens can move and in what order —
 * also after it has had to switch itself off. Checked against a plain list under random
 * operations, and end to end on a fan-out wider than any other test's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMovable, TokenIndex } from '../../src/engine/token-index.js';
import type { Token } from '../../src/engine/types.js';
import { forkJoinFlow } from '../support/flows.js';
import { flow, HOLD, startRun } from './driver.js';

type Op =
  | { readonly op: 'new'; readonly status: Token['status']; readonly mapLeft: boolean }
  | { readonly op: 'replace'; readonly pick: number; readonly status: Token['status']; readonly mapLeft: boolean }
  | { readonly op: 'drop'; readonly pick: number }
  | { readonly op: 'putBack'; readonly pick: number };

const status = fc.constantFrom<Token['status']>('ready', 'running', 'waiting', 'failed');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('new' as const), status, mapLeft: fc.boolean() }),
  fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), status, mapLeft: fc.boolean() }),
  fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }),
  // Rare in practice, never by the engine today: a dropped token put back behind newer ones.
  fc.record({ op: fc.constant('putBack' as const), pick: fc.nat() }),
);

function token(id: number, status: Token['status'], mapLeft: boolean): Token {
  const base: Token = { id, node: id % 3, status, branch: `0.${id}`, attempt: 1, visit: 1 };
  if (status !== 'running') return base;
  return { ...base, map: { items: [1, 2], results: [], next: mapLeft ? 1 : 2, done: 0, active: 1, attempts: {} } };
}

describe('token index', () => {
  it('answers what a scan of the list answers, for any sequence of puts and drops', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 0, max: 12 }), (ops, initial) => {
        const tokens: Token[] = Array.from({ length: initial }, (_, i) => token(i + 1, i % 2 ? 'ready' : 'running', i % 3 === 0));
        const model = tokens.slice();
        const index = new TokenIndex(tokens);
        const dropped: Token[] = [];
        let nextId = initial + 1;
        const modelPut = (t: Token) => {
          const at = model.findIndex((m) => m.id === t.id);
          if (at >= 0) model[at] = t;
          else model.push(t);
        };
        for (const step of ops) {
          if (step.op === 'new') {
            const t = token(nextId++, step.status, step.mapLeft);
            index.put(tokens, t);
            modelPut(t);
          } else if (step.op === 'replace' && model.length > 0) {
            const t = token(model[step.pick % model.length].id, step.status, step.mapLeft);
            index.put(tokens, t);
            modelPut(t);
          } else if (step.op === 'drop' && model.length > 0) {
            const gone = model[step.pick % model.length];
            index.drop(tokens, gone.id);
            model.splice(model.indexOf(gone), 1);
            dropped.push(gone);
          } else if (step.op === 'putBack' && dropped.length > 0) {
            const back = dropped.splice(step.pick % dropped.length, 1)[0];
            if (model.some((m) => m.id === back.id)) continue;
            index.put(tokens, back);
            modelPut(back);
          }
          expect(tokens).toEqual(model);
          expect(index.movableIds(tokens)).toEqual(model.filter(isMovable).map((t) => t.id));
          for (const t of model) expect(tokens[index.position(tokens, t.id)]).toBe(t);
          expect(index.position(tokens, nextId + 5)).toBe(-1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a 1,000-branch fan-out starts every branch, joins once and replays to the same state', () => {
    const width = 1_000;
    const branches = Array.from({ length: width }, (_, i) => `b${i}`);
    const wide = flow(
      forkJoinFlow(
        'wide',
        branches.map((id) => ({ id, type: 'task', action: 'work', output: id })),
        { defaults: { limits: { maxParallel: width, maxSteps: width * 3 } } },
      ),
      { work: () => HOLD },
    );
    const run = startRun(wide);
    expect(run.started()).toHaveLength(width);
    // Completed in an order unlike the fork's, so that joins and drops hit the middle of the list.
    for (let i = 0; i < width; i++) run.complete(branches[(i * 7919) % width], i);
    expect(run.count('branch.joined', 'join')).toBe(1);
    expect(run.state.status).toBe('completed');
    expect(Object.keys(run.state.vars)).toHaveLength(width);
    expect(run.replayed()).toEqual(run.state);
  });
});
