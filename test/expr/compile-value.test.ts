import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors.js';
import { compileValue, isExpression } from '../../src/expr/index.js';

const scope = {
  input: { email: 'ada@example.com' },
  vars: { plan: 'pro', zero: 0, no: false, blank: '', nil: null, items: [1, 2] },
};

describe('isExpression', () => {
  it('is true for a single leading =, false for the == escape and for anything else', () => {
    expect(isExpression('=input.email')).toBe(true);
    expect(isExpression('=')).toBe(true);
    expect(isExpression('==x')).toBe(false);
    expect(isExpression('plain')).toBe(false);
    expect(isExpression(' =x')).toBe(false);
    expect(isExpression(42)).toBe(false);
    expect(isExpression(undefined)).toBe(false);
  });
});

describe('compileValue', () => {
  it('evaluates expressions anywhere in a JSON value', () => {
    const value = compileValue(
      { to: '=input.email', plan: '=vars.plan', lines: ['=vars.items[0]', 'fixed', { n: '=$count(vars.items)' }], retries: 3 },
      'nodes[3].input',
    );
    expect(value.isConstant).toBe(false);
    expect(value.evaluate(scope)).toEqual({ to: 'ada@example.com', plan: 'pro', lines: [1, 'fixed', { n: 2 }], retries: 3 });
  });

  it('unescapes == into a literal leading =', () => {
    const value = compileValue({ formula: '==A1+B1', eq: '==', list: ['==x'] }, 'w');
    expect(value.isConstant).toBe(true);
    expect(value.evaluate(scope)).toEqual({ formula: '=A1+B1', eq: '=', list: ['=x'] });
  });

  it('keeps null, 0, false and "" and omits keys that evaluate to undefined', () => {
    const value = compileValue(
      {
        zero: '=vars.zero',
        no: '=vars.no',
        blank: '=vars.blank',
        nil: '=vars.nil',
        missing: '=vars.missing',
        list: ['=vars.missing', '=vars.zero'],
      },
      'w',
    );
    const out = value.evaluate(scope) as Record<string, unknown>;
    expect(out).toEqual({ zero: 0, no: false, blank: '', nil: null, list: [0] });
    expect('missing' in out).toBe(false);
  });

  it('returns constant values as-is, without copying', () => {
    const shared = { deep: { list: [1, 2, 3] } };
    const constant = compileValue(shared, 'w');
    expect(constant.isConstant).toBe(true);
    expect(constant.evaluate(scope)).toBe(shared);
    const mixed = compileValue({ fixed: shared, email: '=input.email' }, 'w');
    const out = mixed.evaluate(scope) as { fixed: unknown };
    expect(out.fixed).toBe(shared);
    for (const scalar of [1, 'text', true, null]) expect(compileValue(scalar, 'w').evaluate(scope)).toBe(scalar);
  });

  it('builds a fresh container on every evaluation of a non-constant value', () => {
    const value = compileValue({ email: '=input.email' }, 'w');
    const first = value.evaluate(scope);
    const second = value.evaluate({ input: { email: 'b@example.com' } });
    expect(first).toEqual({ email: 'ada@example.com' });
    expect(second).toEqual({ email: 'b@example.com' });
  });

  it('names the place of a bad expression: where.key and where[index]', () => {
    const error = (() => {
      try {
        compileValue({ headers: { auth: 'ok', 'x-id': ['=vars.('] } }, 'nodes[3].input');
      } catch (e) {
        return e as ExpressionError;
      }
    })();
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error?.where).toBe('nodes[3].input.headers["x-id"][0]');
    expect(error?.expression).toBe('vars.(');
    expect(() => compileValue({ email: '=input.email' }, 'nodes[1].input').evaluate(scope)).not.toThrow();
    try {
      compileValue({ total: '=vars.plan + 1' }, 'nodes[1].input').evaluate(scope);
    } catch (e) {
      expect((e as ExpressionError).where).toBe('nodes[1].input.total');
    }
    expect.assertions(5);
  });

  it('refuses a __proto__ key', () => {
    const value = JSON.parse('{ "__proto__": { "polluted": true }, "a": "=vars.plan" }');
    expect(() => compileValue(value, 'w')).toThrow(ExpressionError);
  });
});
