import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors.js';
import { compileExpression, validateExpression } from '../../src/expr/index.js';

const scope = {
  input: { email: 'ada@example.com' },
  vars: {
    customer: { tier: 'gold', name: 'Ada' },
    plan: 'pro',
    items: [
      { price: 2, tags: ['a'] },
      { price: 3, tags: ['b', 'c'] },
    ],
  },
  steps: { lookup: { output: { id: 7 } } },
  now: Date.UTC(2024, 2, 15, 9, 30, 0),
};

function thrown(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('compileExpression', () => {
  it('evaluates edge conditions against the scope', () => {
    const gold = compileExpression("vars.customer.tier = 'gold'", 'edges[2].when');
    expect(gold.evaluate(scope)).toBe(true);
    expect(gold.evaluate({ vars: { customer: { tier: 'silver' } } })).toBe(false);
    expect(gold.evaluate({ vars: {} })).toBe(false);
    expect(compileExpression("$count(vars.items) > 1 and vars.plan = 'pro'", 'w').evaluate(scope)).toBe(true);
    expect(gold.source).toBe("vars.customer.tier = 'gold'");
  });

  it('builds objects and arrays', () => {
    expect(compileExpression("{ 'plan': vars.plan, 'ok': true }", 'w').evaluate(scope)).toEqual({ plan: 'pro', ok: true });
    expect(compileExpression('[vars.plan, steps.lookup.output.id]', 'w').evaluate(scope)).toEqual(['pro', 7]);
    expect(compileExpression("{ 'missing': vars.nope, 'zero': 0 }", 'w').evaluate(scope)).toEqual({ zero: 0 });
  });

  it('returns undefined when nothing matches', () => {
    expect(compileExpression('vars.nope.deeper', 'w').evaluate(scope)).toBeUndefined();
    expect(compileExpression('vars.items[price > 100]', 'w').evaluate(scope)).toBeUndefined();
  });

  it('returns JSONata sequences as plain arrays, nested ones included', () => {
    const sum = compileExpression('vars.items.price', 'w').evaluate(scope) as unknown[];
    expect(sum).toEqual([2, 3]);
    expect(Object.keys(sum)).toEqual(['0', '1']); // no `sequence` flag left on it
    const nested = compileExpression("{ 'tags': vars.items.tags, 'list': [vars.items.price] }", 'w').evaluate(scope) as Record<
      string,
      unknown[]
    >;
    expect(nested).toEqual({ tags: ['a', 'b', 'c'], list: [2, 3] });
    expect(Object.keys(nested.tags)).toEqual(['0', '1', '2']);
    expect(JSON.parse(JSON.stringify(nested))).toEqual(nested);
    expect(structuredClone(nested)).toEqual(nested);
  });

  it('keeps the data it returns unchanged', () => {
    const data = { vars: { items: [{ price: 1 }, { price: 2 }] } };
    const before = JSON.stringify(data);
    compileExpression('vars.items[price > 1]', 'w').evaluate(data);
    compileExpression('$.vars.items', 'w').evaluate(data);
    expect(JSON.stringify(data)).toBe(before);
  });

  it('names where and JSONata reason and position on a syntax error', () => {
    const error = thrown(() => compileExpression('vars.(', 'nodes[3].input.email'));
    expect(error.where).toBe('nodes[3].input.email');
    expect(error.expression).toBe('vars.(');
    expect(error.code).toBe('EXPRESSION_ERROR');
    expect(error.message).toContain('nodes[3].input.email');
    expect(error.message).toMatch(/Expected "\)".*position 6/);
    expect(thrown(() => compileExpression('  ', 'edges[0].when')).message).toContain('empty');
  });

  it('names where and the expression on a runtime error', () => {
    const error = thrown(() => compileExpression('vars.plan + 1', 'nodes[1].input.total').evaluate(scope));
    expect(error.where).toBe('nodes[1].input.total');
    expect(error.expression).toBe('vars.plan + 1');
    expect(error.message).toContain('must evaluate to a number');
    expect(thrown(() => compileExpression("$error('no stock')", 'w').evaluate(scope)).message).toContain('no stock');
  });

  it('validateExpression reports instead of throwing', () => {
    expect(validateExpression("vars.a = 'x'", 'edges[0].when')).toBeUndefined();
    const error = validateExpression("vars.a = 'x", 'edges[0].when');
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error?.where).toBe('edges[0].when');
    expect(validateExpression('vars.constructor', 'edges[1].when')?.message).toContain('constructor');
  });
});

describe('time comes from scope.now', () => {
  it('$now() and $millis() return scope.now', () => {
    expect(compileExpression('$now()', 'w').evaluate(scope)).toBe('2024-03-15T09:30:00.000Z');
    expect(compileExpression('$millis()', 'w').evaluate(scope)).toBe(scope.now);
    expect(compileExpression("$now('[Y0001]-[M01]-[D01]')", 'w').evaluate(scope)).toBe('2024-03-15');
    expect(compileExpression('$now()', 'w').evaluate({ now: 0 })).toBe('1970-01-01T00:00:00.000Z');
  });

  it('is stable across evaluations: the same scope gives the same answer', () => {
    const expr = compileExpression("$millis() - $toMillis('2024-03-15T00:00:00Z')", 'w');
    expect(expr.evaluate(scope)).toBe(9.5 * 3600 * 1000);
    expect(expr.evaluate(scope)).toBe(9.5 * 3600 * 1000);
  });

  it('$toMillis fills missing date parts from scope.now, not from the wall clock', () => {
    expect(compileExpression("$toMillis('10:15', '[H]:[m]')", 'w').evaluate(scope)).toBe(Date.UTC(2024, 2, 15, 10, 15));
  });

  it('fails clearly where no time is available', () => {
    const error = thrown(() => compileExpression('$now()', 'edges[0].when').evaluate({ vars: {} }));
    expect(error.message).toContain('clock is not available');
    expect(error.where).toBe('edges[0].when');
    expect(thrown(() => compileExpression('$millis()', 'w').evaluate({})).message).toContain('clock is not available');
    // date functions that don't need "now" still work without it
    expect(compileExpression('$fromMillis(0)', 'w').evaluate({})).toBe('1970-01-01T00:00:00.000Z');
  });
});
