import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileExpression, validateExpression } from '../../src/expr/index.js';
import { REGEX_WORK_LIMIT } from '../../src/expr/regex.js';
import { type Timed, timed } from './timed.js';

const WHERE = 'nodes[2].input.text';
/** Generous: RE2 does these in milliseconds; backtracking took 29 s for 30 characters. */
const WALL_MS = 1_000;

function run(source: string, scope?: object): Timed {
  return timed(source, WHERE, scope);
}

const evil = `${'a'.repeat(30)}!`;

describe('regex: catastrophic patterns finish within budget (RE2, linear time)', () => {
  it.each([
    [`$contains("${evil}", /^(a+)+$/)`, false],
    [`$match("${evil}", /^(a+)+$/)`, undefined],
    [`$split("${evil}", /(a+)+b/)`, [evil]],
    [`$replace("${evil}", /^(a|a)*$/, "x")`, evil],
    [`$contains("${evil}", /(a|aa)+$/)`, false],
    [`$contains("${'x'.repeat(40)}y", /(x+x+)+z/)`, false],
    [`/^(a*)*$/("${evil}")`, undefined],
  ])('%s', (source, expected) => {
    const { value, error, ms } = run(source);
    expect(error).toBeUndefined();
    expect(value).toEqual(expected);
    expect(ms).toBeLessThan(WALL_MS);
  });

  it('stays linear on text from the run: 20,000 characters, nested quantifiers', () => {
    const scope = { input: { text: `${'a'.repeat(20_000)}!` } };
    for (const source of ['$contains(input.text, /^(a+)+$/)', '$count($split(input.text, /(a|a)+!/))']) {
      const { error, ms } = run(source, scope);
      expect(error).toBeUndefined();
      expect(ms).toBeLessThan(WALL_MS);
    }
  });

  it('keeps RE2 when something else used JSONata in between (its regex engine is one global)', () => {
    const expression = compileExpression(`$contains("${evil}", /^(a+)+$/)`, WHERE);
    jsonata('$contains("a", /a/)').evaluate({}); // resets jsonata.RegexEngine to RegExp
    const started = performance.now();
    expect(expression.evaluate({})).toBe(false);
    expect(performance.now() - started).toBeLessThan(WALL_MS);
  });
});

describe('regex: one search is refused when text × regex size is over the budget', () => {
  it('fails the step naming the regex, the text length and the budget, in a few ms', () => {
    const scope = { vars: { text: 'a'.repeat(1_000_000) } };
    const { error, ms } = run('$contains(vars.text, /(.*a){20}/)', scope);
    expect(error?.message).toContain(`${WHERE}: expression \`$contains(vars.text, /(.*a){20}/)\` failed`);
    expect(error?.message).toContain('/(.*a){20}/ on a text of 1000000 characters is over the regex budget');
    expect(error?.message).toContain(String(REGEX_WORK_LIMIT));
    expect(ms).toBeLessThan(WALL_MS);
  });

  it('lets a small regex search a large text', () => {
    const scope = { vars: { text: `${'a'.repeat(500_000)},${'a'.repeat(500)},b` } };
    expect(run('$count($split(vars.text, /,/))', scope).value).toBe(3);
    expect(run('$contains(vars.text, /b$/)', scope).value).toBe(true);
  });
});

describe('regex: features RE2 lacks are refused at validation', () => {
  it.each([
    ['/(a)\\1/', 'a backreference (`\\1`)'],
    ['/(?<n>a)\\k<n>/', 'a named backreference'],
    ['/a(?=b)/', 'a lookahead (`(?=…)`)'],
    ['/a(?!b)/', 'a lookahead (`(?!…)`)'],
    ['/(?<=a)b/', 'a lookbehind (`(?<=…)`)'],
    ['/(?<!a)b/', 'a lookbehind (`(?<!…)`)'],
  ])('%s', (regex, feature) => {
    const source = `$contains(input.s, ${regex})`;
    const error = validateExpression(source, WHERE);
    expect(error?.message).toContain(`${WHERE}: expression \`${source}\` failed: the regex ${regex} uses ${feature}`);
    expect(error?.message).toContain('RE2');
  });

  it('names what RE2 cannot compile', () => {
    expect(validateExpression('$match(input.s, /a{2000}/)', WHERE)?.message).toContain('invalid repeat count');
  });

  it('reads escapes and character classes: `[(?=)]` and `\\\\1` are not lookaround or backreferences', () => {
    expect(validateExpression('$contains(input.s, /[(?=)]\\\\1/)', WHERE)).toBeUndefined();
    expect(run('$contains("(\\\\1", /[(?=)]\\\\1/)').value).toBe(true);
  });
});

describe('regex: same answers as JSONata gives on ordinary patterns', () => {
  it.each([
    '$match("ab12cd345", /(\\d)(\\d)?/)',
    '$replace("John Smith", /(\\w+)\\s(\\w+)/, "$2, $1")',
    '$replace("a-b-c", /-/, "+", 1)',
    '$split("a1b22c333", /\\d+/)',
    '$split("a1b22c333", /\\d+/, 2)',
    '$contains("Hello", /hel/i)',
    '$match("one\\ntwo", /^t\\w+/m).match',
    '$match("😀ab😀b", /b/).index',
    '$match("x2024-05", /(?<y>\\d{4})-(\\d\\d)/).groups',
    '$replace("aaa", /a/, function($m){ $uppercase($m.match) })',
    '$match("abc", /x*/)',
    '$count($match("a.b.c", /\\./))',
  ])('%s', (source) => {
    let expected: unknown;
    try {
      expected = JSON.parse(JSON.stringify(jsonata(source).evaluate({}) ?? null));
    } catch (error) {
      expected = { code: (error as { code?: string }).code };
    }
    const { value, error } = run(source);
    const actual =
      error === undefined ? JSON.parse(JSON.stringify(value ?? null)) : { code: /\((D\d+) at/.exec(error.message)?.[1] };
    expect(actual).toEqual(expected);
  });
});

describe('regex: $toMillis parses pictures on RE2 too', () => {
  it('40 digits against seven adjacent number parts finish within budget (backtracking: 0.9 s; 60 digits: 4 s)', () => {
    const { value, error, ms } = run(`$toMillis("${'1'.repeat(60)}x", "[Y][M][D][H][m][s][f]")`);
    expect(error).toBeUndefined();
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(WALL_MS);
  });

  it('refuses a timestamp longer than any date (the ISO 8601 check is quadratic)', () => {
    const { error, ms } = run(`$toMillis("2024${'-01'.repeat(3_000)}x")`);
    expect(error?.message).toContain('$toMillis reads at most 256 characters, not 9005');
    expect(ms).toBeLessThan(WALL_MS);
  });

  it.each([
    '$toMillis("2018-10-21 10:11:12", "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01]")',
    '$toMillis("Sunday, 21st October 2018", "[FNn], [D1o] [MNn] [Y0001]")',
    '$toMillis("12/31/2020", "[M]/[D]/[Y]")',
    '$toMillis("twenty-first of October, two thousand and eighteen", "[Dw] of [MNn], [Yw]")',
    '$toMillis("2018-10-21T10:11:12.345Z")',
  ])('same answer as JSONata: %s', (source) => {
    expect(run(source).value).toBe(jsonata(source).evaluate({}));
  });

  it('gives the global RegExp back, also when the parse fails', () => {
    run('$toMillis("2018-13-45", "[Y0001]-[M01]-[D01]")');
    run('$toMillis("x", "[Y0001]-[M01]-[D01]")');
    expect(RegExp).toBe(/x/.constructor);
    expect(/a+/.test('aa')).toBe(true);
  });
});
