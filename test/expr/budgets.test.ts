import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { timed } from './timed.js';

const WHERE = 'nodes[4].input.text';
/** Generous: each refusal below comes in milliseconds to a few hundred on a busy host. */
const WALL_MS = 2_000;

function outcome(source: string, scope?: object): { value?: unknown; message?: string; ms: number } {
  const { value, error, ms } = timed(source, WHERE, scope);
  return { value, message: error?.message, ms };
}

function refused(source: string, reason: RegExp, scope?: object): void {
  const { message, ms } = outcome(source, scope);
  expect(message).toContain(`${WHERE}: expression \`${source}\` failed: `);
  expect(message, message).toMatch(reason);
  expect(ms).toBeLessThan(WALL_MS);
}

describe('budgets: builders fail the step, never the process', () => {
  it.each([
    // the report: 2.4 GB, then "Fatal JavaScript invalid size error" (exit 133)
    ['$length($pad("x", 200000000))', /\$pad to a width of 200,000,000 characters is over the budget of 4,000,000/],
    ['$pad("x", -200000000, "ab")', /\$pad to a width of 200,000,000 characters/],
    ['$reduce([1..40], function($a, $i){ $a & $a }, "x")', /a string of [\d,]+ characters is over the budget/],
    ['$replace($pad("", 3000000, "x"), "x", "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy")', /\$replace making a string of 105,000,000/],
    ['$split($pad("", 3000000, "x"), "")', /\$split making an array of 3,000,000 items/],
    ['$count([1..10000000])', /an array of 10,000,000 items is over the budget of 1,000,000 items/],
    ['$count($reduce([1..30], function($a, $i){ $append($a, $a) }, [1]))', /an array of [\d,]+ items is over the budget/],
    // a path collected a 100,000-item list 1,000 times: 15 s and 1 GB before anything returned
    ['($x := [1..2000]; $count([1..1000].($x)))', /a path collecting 1,00\d,\d{3} items is over the budget of 1,000,000/],
  ])('%s', (source, reason) => refused(source, reason));

  it('$join of words from the run', () => {
    const words = Array.from({ length: 5_000 }, () => 'y'.repeat(1_000));
    refused('$join(vars.words, ",")', /\$join making a string of 5,004,999 characters is over the budget/, { vars: { words } });
  });

  it('an object holding one object twice, nested 30 times (2^30 values written out), is refused as it grows', () => {
    refused(
      '$reduce([1..30], function($a, $i){ { "a": $a, "b": $a } }, 1)',
      /a value of [\d,]+ characters written out is over the budget/,
    );
    refused('$reduce([1..30], function($a, $i){ [[$a], [$a]] }, 1)', /a value of [\d,]+ characters written out/);
    refused('($x := { "k": [1..20000] }; [1..1000].($x))', /a value of [\d,]+ characters written out/);
  });

  it('$string of a large value from the run is refused before it is written', () => {
    const big = Array.from({ length: 3_000 }, () => 'x'.repeat(1_000));
    const scope = { input: { rows: big, more: big } };
    expect(outcome('$length($string(input.rows))', scope).value).toBe(3_000 * 1_003 + 1);
    refused(
      '$string([input.rows, input.more])',
      /\$string of a value of [\d,]+ characters written out is over the budget of 4,000,000/,
      scope,
    );
  });

  it('a run’s scope may hold more than one value may build: reading it is not building', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => ({ id: i, name: `row ${i}` }));
    const scope = { vars: { rows }, now: 0 };
    expect(outcome('$count(vars.rows)', scope).value).toBe(300_000);
    expect(outcome('vars.rows[-1].id + 1', scope).value).toBe(300_000);
    expect(outcome("{ 'all': vars.rows }", scope).message).toMatch(/a value of [\d,]+ characters written out is over the budget/);
  });

  it('values within the budgets are built as before', () => {
    expect(outcome('$length($pad("x", 3000000))').value).toBe(3_000_000);
    expect(outcome('$count([1..200000])').value).toBe(200_000);
    expect(outcome('$length($join([1..1000].("abc"), ","))').value).toBe(3_999);
    expect(outcome('$replace("a-b-c", "-", "+++")').value).toBe('a+++b+++c');
    expect(outcome('$string({ "a": [1, 2], "b": "x" })').value).toBe('{"a":[1,2],"b":"x"}');
  });
});

describe('budgets: $distinct in linear time, same answers', () => {
  it('200,000 items in well under the budget (was quadratic: minutes)', () => {
    const list = Array.from({ length: 200_000 }, (_, i) => i % 1_000);
    const { value, ms } = outcome('$count($distinct(vars.list))', { vars: { list } });
    expect(value).toBe(1_000);
    expect(ms).toBeLessThan(WALL_MS);
  });

  it.each([
    '$distinct([1, "1", 1, { "a": 1, "b": 2 }, { "b": 2, "a": 1 }, [1, 2], [2, 1], [1, 2], null, null, true])',
    '$distinct(["a", "b", "a"])',
    '$distinct(5)',
    '$distinct([])',
    '$distinct([{ "a": { "x": 1, "y": [1, { "p": 1, "q": 2 }] } }, { "a": { "y": [1, { "q": 2, "p": 1 }], "x": 1 } }])',
  ])('%s', (source) => {
    expect(outcome(source).value).toEqual(jsonata(source).evaluate({}));
  });
});
