/** Patch semantics (F5.2): each operation, atomic batches, expiry, and the fold of a history. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rollbackOps } from '../../src/swarm/changes.js';
import { contextView, createContext, type SwarmContext } from '../../src/swarm/context.js';
import { applyPatch, type PatchOp } from '../../src/swarm/patch.js';
import { globMatches, pathTouches } from '../../src/swarm/paths.js';

const base = (): SwarmContext =>
  createContext({
    goal: 'qualify leads',
    team: [{ id: 'scout', role: 'researcher' }],
    blackboard: { notes: { value: { a: 1, nested: { x: 1, y: 2 } }, author: 'seed', at: 0 } },
    subtasks: { t1: { title: 'find leads', status: 'open' } },
    policies: { onBudget: 'pause' },
    resources: { budget: 100 },
  });

describe('patch operations', () => {
  it('set writes the named key and keeps its siblings; the entry takes author and time', () => {
    const next = applyPatch(base(), [{ op: 'set', path: 'blackboard.notes.b', value: 2 }], 'ann', 10);
    expect(next.blackboard.notes).toEqual({ value: { a: 1, b: 2, nested: { x: 1, y: 2 } }, author: 'ann', at: 10 });
    expect(next.subtasks).toEqual(base().subtasks);
  });

  it('merge replaces only the keys it brings; deepMerge merges at every level', () => {
    const merged = applyPatch(base(), [{ op: 'merge', path: 'blackboard.notes', value: { nested: { x: 9 } } }], 'a', 1);
    expect(merged.blackboard.notes?.value).toEqual({ a: 1, nested: { x: 9 } });
    const deep = applyPatch(base(), [{ op: 'deepMerge', path: 'blackboard.notes', value: { nested: { x: 9 } } }], 'a', 1);
    expect(deep.blackboard.notes?.value).toEqual({ a: 1, nested: { x: 9, y: 2 } });
  });

  it('append, increment and delete, creating what is missing', () => {
    const next = applyPatch(
      base(),
      [
        { op: 'append', path: 'blackboard.leads', value: 'ada' },
        { op: 'append', path: 'blackboard.leads', value: 'bob' },
        { op: 'increment', path: 'blackboard.count', by: 3 },
        { op: 'increment', path: 'blackboard.count' },
        { op: 'delete', path: 'blackboard.notes.nested.x' },
        { op: 'set', path: 'subtasks.t1.status', value: 'done' },
      ],
      'a',
      5,
    );
    expect(next.blackboard.leads?.value).toEqual(['ada', 'bob']);
    expect(next.blackboard.count?.value).toBe(4);
    expect(next.blackboard.notes?.value).toEqual({ a: 1, nested: { y: 2 } });
    expect(next.subtasks.t1?.status).toBe('done');
  });

  it('a batch applies whole or not at all, naming the operation and path that failed', () => {
    const before = base();
    const ops: PatchOp[] = [
      { op: 'set', path: 'blackboard.ok', value: 1 },
      { op: 'append', path: 'blackboard.notes', value: 1 },
    ];
    expect(() => applyPatch(before, ops, 'a', 1)).toThrow(
      /ops\[1\] at 'blackboard.notes': append needs an array there, not an object/,
    );
    expect(before).toEqual(base());
  });

  it('refuses what would break the context or reach a prototype', () => {
    const refuse = (op: PatchOp, message: RegExp) => expect(() => applyPatch(base(), [op], 'a', 1)).toThrow(message);
    refuse({ op: 'set', path: 'resources.budget', value: -5 }, /resources.budget/);
    refuse({ op: 'set', path: 'subtasks.t1.status', value: 'weird' }, /subtasks.t1.status/);
    refuse({ op: 'set', path: 'blackboard.__proto__.x', value: 1 }, /'__proto__' cannot be a key/);
    refuse({ op: 'set', path: 'nope.x', value: 1 }, /a path starts with one of goal/);
    refuse({ op: 'delete', path: 'policies' }, /a section cannot be deleted/);
    refuse({ op: 'set', path: 'blackboard', value: {} }, /name a blackboard key/);
    refuse({ op: 'increment', path: 'goal' }, /increment needs a number there, not a string/);
    refuse({ op: 'merge', path: 'policies', value: 3 as never }, /merge takes an object value/);
    expect(() => applyPatch(base(), [], 'a', 1)).toThrow(/at least one operation/);
  });

  it('expired blackboard entries disappear from reads and from the next patch', () => {
    const next = applyPatch(base(), [{ op: 'append', path: 'blackboard.hot', value: 1, ttlMs: 100 }], 'a', 1_000);
    expect(next.blackboard.hot?.expiresAt).toBe(1_100);
    expect(contextView(next, 1_099, 2).blackboard).toHaveProperty('hot');
    expect(contextView(next, 1_100, 2).blackboard).not.toHaveProperty('hot');
    const after = applyPatch(next, [{ op: 'append', path: 'blackboard.hot', value: 2 }], 'a', 1_200);
    expect(after.blackboard.hot?.value).toEqual([2]);
  });

  it('path globs: * one key, ** any; a change above a followed path touches it', () => {
    expect(globMatches('blackboard.*', 'blackboard.leads')).toBe(true);
    expect(globMatches('blackboard.*', 'blackboard.leads.0')).toBe(false);
    expect(globMatches('subtasks.**', 'subtasks.t1.status')).toBe(true);
    expect(pathTouches('blackboard.leads', 'blackboard.leads.0')).toBe(true);
    expect(pathTouches('blackboard.leads.0', 'blackboard.leads')).toBe(true);
    expect(pathTouches('blackboard.leads', 'blackboard.notes')).toBe(false);
  });
});

// Property: any sequence of patches equals the fold of its history, whether applied one by one
// or replayed later; a failing patch leaves no trace; rollback ops lead back exactly.
const key = fc.constantFrom('a', 'b', 'c');
const path = fc.tuple(key, fc.option(key, { nil: undefined })).map(([k, sub]) => `blackboard.${k}${sub ? `.${sub}` : ''}`);
const op: fc.Arbitrary<PatchOp> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), path, value: fc.oneof(fc.integer(), fc.string(), fc.constant([1])) }),
  fc.record({ op: fc.constant('delete' as const), path }),
  fc.record({ op: fc.constant('append' as const), path, value: fc.integer() }),
  fc.record({ op: fc.constant('increment' as const), path, by: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ op: fc.constant('merge' as const), path, value: fc.dictionary(key, fc.integer(), { maxKeys: 2 }) }),
  fc.record({ op: fc.constant('deepMerge' as const), path, value: fc.dictionary(key, fc.integer(), { maxKeys: 2 }) }),
);

describe('patch properties', () => {
  it('the context equals the fold of its history; refused patches change nothing; rollback restores', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { maxLength: 25 }), (patches) => {
        let context = base();
        const versions: SwarmContext[] = [context];
        const history: { ops: PatchOp[]; at: number }[] = [];
        patches.forEach((ops, i) => {
          try {
            context = applyPatch(context, ops, 'p', i + 1);
            history.push({ ops, at: i + 1 });
            versions.push(context);
          } catch {
            // refused: the context is the one before
          }
        });
        const folded = history.reduce((c, h) => applyPatch(c, h.ops, 'p', h.at), base());
        expect(folded).toEqual(context);
        for (const version of versions) {
          const ops = rollbackOps(context, version);
          const back = ops.length === 0 ? context : applyRollback(context, ops);
          expect(contextView(back, 0, 0)).toEqual(contextView(version, 0, 0));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Rollback ops carry whole entries for keyed sections: write them back as they were. */
function applyRollback(context: SwarmContext, ops: readonly PatchOp[]): SwarmContext {
  const next = structuredClone(context) as unknown as Record<string, Record<string, unknown>>;
  for (const o of ops) {
    const [section, k] = o.path.split('.') as [string, string | undefined];
    if (k === undefined) next[section] = (o as { value: Record<string, unknown> }).value;
    else if (o.op === 'delete') delete next[section]?.[k];
    else (next[section] as Record<string, unknown>)[k] = (o as { value: unknown }).value;
  }
  return next as unknown as SwarmContext;
}
