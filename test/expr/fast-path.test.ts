import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/expr/ast.js';
import { compileFastPath, FALLBACK } from '../../src/expr/fast-path.js';
import { compileExpression } from '../../src/expr/index.js';
import type { ExprScope } from '../../src/expr/types.js';

/** JSONata itself is the reference: what the fast path answers must be what JSONata answers. */
function reference(source: string, scope: unknown): unknown {
  const value = jsonata(source).evaluate(scope);
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** What the fast path alone answers (FALLBACK when it defers to JSONata). */
function fastOnly(source: string, scope: unknown): unknown {
  const fast = compileFastPath(parse(source, 'test').ast);
  if (fast === undefined) throw new Error(`no fast path for ${source}`);
  return fast(scope);
}

const scope = {
  input: { email: 'ada@example.com', count: 0, empty: '', off: false, nothing: null, nested: { deep: { x: 1 } } },
  vars: {
    customer: { name: 'Ada', tier: 'gold', score: 0 },
    list: [10, 20, 30],
    one: [5],
    empty: [],
    nested: [[1, 2], [3]],
    objects: [{ a: 1 }, { a: [2, 3] }, { b: 4 }],
    withNull: [null, 0, false, ''],
    text: 'hello',
  },
  steps: { lookup: { output: { id: 7 } } },
  item: { sku: 'A-1', qty: 0 },
  index: 0,
};

describe('fast path equals JSONata', () => {
  const plainPaths = [
    'input.email',
    'input.count',
    'input.empty',
    'input.off',
    'input.nothing',
    'input.nothing.x',
    'input.nested.deep.x',
    'input.missing',
    'input.missing.deeper',
    'input.email.length',
    'vars.customer.name',
    'vars.customer.score',
    'vars.list',
    'vars.one',
    'vars.empty',
    'vars.nested',
    'vars.text.x',
    'steps.lookup.output',
    'steps.lookup.output.id',
    'item',
    'item.qty',
    'index',
    'vars.list[0]',
    'vars.list[2]',
    'vars.list[-1]',
    'vars.list[-3]',
    'vars.list[3]',
    'vars.list[-4]',
    'vars.withNull[0]',
    'vars.withNull[1]',
    'vars.withNull[2]',
    'vars.withNull[3]',
    'vars.objects[0].a',
    'vars.objects[2].a',
    'vars.customer[0]',
    'vars.customer[-1]',
    'vars.customer[1]',
    'vars.text[0]',
    'input.nothing[0]',
    'vars.missing[0]',
  ];

  it.each(plainPaths)('%s: same value, answered without JSONata', (source) => {
    const expected = reference(source, scope);
    expect(fastOnly(source, scope)).toEqual(expected);
    expect(compileExpression(source, 'test').evaluate(scope)).toEqual(expected);
  });

  const arrayPaths = ['vars.objects.a', 'vars.objects.b', 'vars.nested[0]', 'vars.list.x', 'vars.one.x'];

  it.each(arrayPaths)('%s: steps through an array, so JSONata answers (and the result is the same)', (source) => {
    expect(fastOnly(source, scope)).toBe(FALLBACK);
    expect(compileExpression(source, 'test').evaluate(scope)).toEqual(reference(source, scope));
  });

  it('keeps 0, false, "" and null as values, never as missing', () => {
    const falsy = { vars: { zero: 0, no: false, blank: '', nil: null } };
    for (const [source, value] of [
      ['vars.zero', 0],
      ['vars.no', false],
      ['vars.blank', ''],
      ['vars.nil', null],
    ] as const) {
      expect(compileExpression(source, 'test').evaluate(falsy)).toBe(value);
      // the JSONata path gives the same: `$.` disables the fast path
      expect(compileExpression(`$.${source}`, 'test').evaluate(falsy)).toBe(value);
    }
    expect(compileExpression('vars.missing', 'test').evaluate(falsy)).toBeUndefined();
  });

  it('returns the data itself, not a copy', () => {
    expect(compileExpression('vars.customer', 'test').evaluate(scope)).toBe(scope.vars.customer);
    expect(compileExpression('vars.list', 'test').evaluate(scope)).toBe(scope.vars.list);
  });

  it('answers equality conditions like JSONata, missing values included', () => {
    const conditions = [
      "vars.customer.tier = 'gold'",
      "vars.customer.tier != 'gold'",
      "'gold' = vars.customer.tier",
      'vars.customer.score = 0',
      'vars.customer.score != 0',
      'vars.customer.score = false',
      "vars.missing = 'x'",
      "vars.missing != 'x'",
      'input.nothing = null',
      'input.off = false',
      "input.empty = ''",
      'vars.list = 10',
      'vars.list != 10',
      'vars.customer = 1',
    ];
    for (const source of conditions) {
      expect(compileExpression(source, 'test').evaluate(scope), source).toBe(reference(source, scope));
    }
    expect(fastOnly("vars.customer.tier = 'gold'", scope)).toBe(true);
  });

  it('matches JSONata on random data and random paths', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(0, 1, false, true, '', 'x', null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 3 }),
      ),
    }));
    const step = fc.record({ name: key, index: fc.option(fc.integer({ min: -3, max: 3 }), { nil: undefined }) });
    const path = fc
      .array(step, { minLength: 1, maxLength: 4 })
      .map((steps) => `vars.${steps.map((s) => s.name + (s.index === undefined ? '' : `[${s.index}]`)).join('.')}`);
    const literal = fc.constantFrom("'x'", '0', '1', 'true', 'false', 'null', "''");
    const source = fc.oneof(
      path,
      fc.tuple(path, fc.constantFrom('=', '!='), literal).map(([p, op, lit]) => `${p} ${op} ${lit}`),
    );

    fc.assert(
      fc.property(source, fc.dictionary(key, value, { maxKeys: 3 }), (src, vars) => {
        const data: ExprScope = { vars };
        expect(compileExpression(src, 'test').evaluate(data)).toEqual(reference(src, data));
      }),
      { numRuns: 2000 },
    );
  });
});
