import jsonata from 'jsonata';
import { afterEach, describe, expect, it } from 'vitest';
import { ExpressionError } from '../../src/errors.js';
import { compileExpression } from '../../src/expr/index.js';

const scope = { vars: { a: 1, customer: { tier: 'gold' }, list: [1, 2, 3] }, input: { email: 'x@y.z' }, now: 0 };

/** The reason an expression is refused, at compile time or when evaluated. */
function refusal(source: string, data: unknown = scope): string {
  try {
    const value = compileExpression(source, 'nodes[0].input.x').evaluate(data as typeof scope);
    return `not refused: returned ${typeof value}`;
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).where).toBe('nodes[0].input.x');
    return (error as ExpressionError).message;
  }
}

afterEach(() => {
  // no attempt may leave anything on the shared prototypes
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('sandbox: prototype keys', () => {
  it.each([
    'vars.constructor',
    'vars.__proto__',
    'vars.prototype',
    '$.constructor',
    'vars.`constructor`',
    'vars.list.constructor',
    "{ '__proto__': { 'polluted': true } }",
    "vars{ 'constructor': a }",
  ])('refuses %s at compile time', (source) => {
    expect(() => compileExpression(source, 'w')).toThrow(ExpressionError);
    expect(refusal(source)).toMatch(/`(__proto__|constructor|prototype)` is not (accessible|allowed)/);
  });

  it.each([
    "$lookup($, 'constructor')",
    "$lookup(vars, '__proto__')",
    "$lookup(vars, 'pro' & 'totype')",
    "{ ('__pro' & 'to__'): { 'polluted': true } }",
    "[{ 'k': '__proto__', 'v': { 'polluted': true } }]{ k: v }",
    "[{ 'k': 'constructor', 'v': 1 }, { 'k': 'x', 'v': 2 }]{ k: v }",
  ])('refuses %s when the key is computed at run time', (source) => {
    expect(() => compileExpression(source, 'w')).not.toThrow();
    expect(refusal(source)).toMatch(/`(__proto__|constructor|prototype)`/);
  });

  it('$lookup still reads own data, arrays mapped like JSONata', () => {
    expect(compileExpression("$lookup(vars.customer, 'tier')", 'w').evaluate(scope)).toBe('gold');
    expect(compileExpression("$lookup([{ 'a': 1 }, { 'a': [2, 3] }, {}], 'a')", 'w').evaluate(scope)).toEqual([1, 2, 3]);
    expect(compileExpression("$lookup(vars, 'toString')", 'w').evaluate(scope)).toBeUndefined();
  });
});

describe('sandbox: no JS function is reachable', () => {
  it.each([
    ['inherited methods of data', 'vars.toString'],
    ['calling an inherited method', "vars.hasOwnProperty('a')"],
    ['a built-in’s implementation', '$string.implementation'],
    ['a built-in’s fields through *', '($x := $string.*; $x[1])'],
    ['a lambda’s environment', '($f := function($x){ $x }; $f.environment)'],
    ['a lambda’s environment through an array', '($f := function($x){ $x }; [[$f]].environment)'],
    ['a regex match’s next()', "$x := /a/('aaa'); $x.next"],
  ])('refuses %s', (_what, source) => {
    expect(refusal(source)).not.toMatch(/^not refused/);
  });

  it('cannot copy a lambda’s internals out with *, **, $keys, $spread, $merge', () => {
    expect(compileExpression('($f := function($x){ $x }; $f.*)', 'w').evaluate(scope)).toBeUndefined();
    expect(compileExpression('($f := function($x){ $x }; $keys($f))', 'w').evaluate(scope)).toBeUndefined();
    expect(refusal('($f := function($x){ $x }; [$f].**)')).toContain('cannot return a function');
    expect(refusal('($f := function($x){ $x }; $merge($spread($f)))')).not.toMatch(/^not refused/);
  });

  it('refuses a lambda forged from data, which raw JSONata would run', () => {
    const forged = { _jsonata_lambda: true, arguments: [], body: { type: 'value', value: 42 }, environment: null, input: {} };
    const data = { input: { fake: forged } };
    expect(jsonata('($g := input.fake; $g())').evaluate(data)).toBe(42); // the hole this closes
    expect(refusal('($g := input.fake; $g())', data)).toContain('function');
    expect(refusal("$merge([input.fake, { 'thunk': true }])", data)).toContain('function');
  });

  it('refuses rebinding the evaluation hooks', () => {
    expect(refusal('($__evaluate_entry := false; 1)')).toContain('reserved');
    expect(refusal('$map([1], function($__evaluate_exit){ 1 })')).toContain('reserved');
    expect(refusal('vars.list@$__evaluate_entry.a')).toContain('reserved');
  });

  it('refuses rebinding $clone, which would let a transform write into scope data', () => {
    const data = { vars: { customer: { tier: 'gold' } } };
    const source = "($clone := function($x){ $x }; vars.customer ~> | $ | { 'tier': 'hacked' } |)";
    expect(refusal(source, data)).toContain('$clone');
    expect(data.vars.customer.tier).toBe('gold');
    jsonata(source).evaluate(data); // the hole this closes: raw JSONata writes into the input
    expect(data.vars.customer.tier).toBe('hacked');
  });

  it('leaves scope data untouched when calling data or keeping singleton arrays', () => {
    const data = { vars: { customer: { tier: 'gold' }, list: [1] } };
    const before = structuredClone(data);
    expect(refusal('vars.customer()', data)).toContain('not a function');
    expect(compileExpression('vars.list[]', 'w').evaluate(data)).toEqual([1]);
    expect(data).toStrictEqual(before);
    expect(Object.keys(data.vars.list)).toEqual(['0']);
    expect(Object.keys(data.vars.customer)).toEqual(['tier']);
    // the hole this closes: raw JSONata writes `token`/`position` onto the data it tried to call
    expect(() => jsonata('vars.customer()').evaluate(data)).toThrow();
    expect(Object.keys(data.vars.customer)).toContain('token');
  });

  it('transforms copies, leaving scope data untouched', () => {
    const data = { vars: { customer: { tier: 'gold', name: 'Ada' } } };
    const out = compileExpression("vars.customer ~> | $ | { 'tier': 'platinum' } |", 'w').evaluate(data);
    expect(out).toEqual({ tier: 'platinum', name: 'Ada' });
    expect(data.vars.customer.tier).toBe('gold');
  });

  it('never returns a function', () => {
    expect(refusal('function($x){ $x }')).toContain('cannot return a function');
    expect(refusal('$string')).toContain('cannot return a function');
    expect(refusal("{ 'f': $uppercase }")).toContain('cannot return a function');
  });

  it('leaves lambdas, higher-order functions and regexes working', () => {
    const run = (source: string) => compileExpression(source, 'w').evaluate(scope);
    expect(run('$map(vars.list, function($v){ $v * 2 })')).toEqual([2, 4, 6]);
    expect(run('$filter(vars.list, function($v){ $v > 1 })')).toEqual([2, 3]);
    expect(run('$reduce(vars.list, function($a, $b){ $a + $b })')).toBe(6);
    expect(run('$sort(vars.list, function($a, $b){ $a < $b })')).toEqual([3, 2, 1]);
    expect(run('($inc := $map(?, function($v){ $v + 1 }); $inc(vars.list))')).toEqual([2, 3, 4]);
    expect(run('vars.list ~> $map(function($v){ $v + 1 }) ~> $sum()')).toBe(9);
    expect(run("($r := /b+/; $replace('abbc', $r, 'x'))")).toBe('axc');
    expect(run("$match('a1b22', /[0-9]+/).match")).toEqual(['1', '22']);
    expect(run('($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))')).toBe(3628800);
    expect(run("$each(vars.customer, function($v, $k){ $k & '=' & $v })")).toBe('tier=gold');
  });
});

describe('sandbox: no randomness, no string evaluation', () => {
  it.each([
    ['$random()', 'use an action'],
    ['$shuffle(vars.list)', 'use an action'],
    ["$eval('1 + 1')", 'not allowed'],
  ])('%s is refused', (source, reason) => {
    expect(refusal(source)).toContain(reason);
  });
});

describe('sandbox: limits', () => {
  it('stops an endless tail-recursive loop with an ExpressionError', () => {
    const started = Date.now();
    expect(refusal('($f := function($x){ $f($x) }; $f(1))')).toMatch(/longer than \d+ ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stops endless non-tail recursion with an ExpressionError, not a stack overflow', () => {
    expect(refusal('($f := function($x){ 1 + $f($x) }; $f(1))')).toMatch(/longer than|deeper than/);
  });

  it('stops runaway nesting before the JS stack runs out', () => {
    const nested = `${'('.repeat(800)}1${')'.repeat(800)}`;
    expect(refusal(nested)).toContain('deeper than');
    const huge = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    expect(refusal(huge)).not.toMatch(/^not refused/);
  });

  it('evaluates normally after a limit was hit', () => {
    const loop = compileExpression('($f := function($x){ $f($x) }; $f(1))', 'w');
    expect(() => loop.evaluate(scope)).toThrow(ExpressionError);
    expect(compileExpression('$sum(vars.list) + $millis()', 'w').evaluate(scope)).toBe(6);
  });
});
