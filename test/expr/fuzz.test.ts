/**
 * Fuzz (issue 12, expression half): thousands of generated expressions — catastrophic regexes,
 * string and array builders, recursion, deep nesting, reserved keys — each put in a flow file,
 * published (validated and compiled) and run on a real runtime. Every one must end as a
 * validation problem at its path, a completed run, or a failed step whose error names the
 * expression and where it stands; none may crash the process, run past a generous wall-time
 * bound, or push the process's peak memory past a bound.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowInvalidError } from '../../src/errors.js';
import { createRunloom, type Runloom } from '../../src/runloom.js';

const CASES = Number(process.env.FUZZ_CASES ?? 2_000);
/** Per case, validation + run. The expression budget is 100 ms; native built-ins on values at the size budgets take up to about 1 s (measured: 943 ms, a 200,000-match $replace), and the rest is headroom for a busy shared host (2,958 ms seen under load). */
const WALL_MS = 5_000;
/** Peak resident memory of this test process (forks pool: one process per file). */
const PEAK_RSS_BYTES = 1_500_000_000;

const catastrophic = [
  '^(a+)+$',
  '(a|a)*b',
  '(a|aa)+$',
  '(x+x+)+y',
  '(.*a){12}',
  '^(\\w+\\s?)*$',
  '([a-z]+)*\\d',
  '(a*)*b',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
];
const unsupported = ['(a)\\1', 'a(?=b)', '(?<=a)b', '(?!x)y', '(?<n>a)\\k<n>'];

const size = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1_000, max: 200_000 }), fc.constant(200_000_000));
const text = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `$pad("", ${n}, "a") & "!"`),
  fc.constant('input.text'),
);
const regexBody = fc.oneof(
  fc.constantFrom(...catastrophic, ...unsupported),
  fc
    .array(fc.constantFrom('a', '.', '\\d', '[a-c]', '(a|b)', '(a+)', 'x*', 'b?', '\\s+', '(?:ab)+', '[^x]{2,5}'), {
      minLength: 1,
      maxLength: 6,
    })
    .map((parts) => parts.join('')),
);
const regexCall = fc
  .tuple(fc.constantFrom('$contains', '$match', '$split', '$replace'), text, regexBody, fc.constantFrom('', 'i', 'm'))
  .map(([fn, t, body, flags]) =>
    fn === '$replace' ? `${fn}(${t}, /${body}/${flags}, "$0$0")` : `${fn}(${t}, /${body}/${flags})`,
  );

const builder = fc.oneof(
  size.map((n) => `$length($pad("x", ${n}))`),
  fc.integer({ min: 1, max: 40 }).map((k) => `$length($reduce([1..${k}], function($a, $i){ $a & $a }, "xy"))`),
  fc.integer({ min: 1, max: 40 }).map((k) => `$count($reduce([1..${k}], function($a, $i){ $append($a, $a) }, [1]))`),
  fc.integer({ min: 1, max: 40 }).map((k) => `$reduce([1..${k}], function($a, $i){ { "l": $a, "r": $a } }, 1)`),
  fc.integer({ min: 1, max: 40 }).map((k) => `$string($reduce([1..${k}], function($a, $i){ [[$a], [$a]] }, 1))`),
  size.map((n) => `$count([1..${n}])`),
  fc.tuple(size, size).map(([a, b]) => `($x := [1..${a % 100_000}]; $count([1..${b % 10_000}].($x)))`),
  fc
    .tuple(size, fc.integer({ min: 1, max: 1_000 }))
    .map(([n, r]) => `$length($join([1..${n % 50_000}].$pad("", ${r}, "y"), ","))`),
  size.map((n) => `$length($replace($pad("", ${n % 5_000_000}, "x"), "x", "yyyyyyyyyy"))`),
  size.map((n) => `$count($split($pad("", ${n % 5_000_000}, "x"), ""))`),
  size.map((n) => `$count($distinct([1..${n % 2_000_000}].($ % 97)))`),
  fc.integer({ min: 1, max: 400 }).map((n) => `$toMillis("${'1'.repeat(n)}x", "[Y][M][D][H][m][s][f]")`),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `$toMillis("2024${'-01'.repeat(n)}x")`),
);

const recursion = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }).map((n) => `($f := function($n){ $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(${n}))`),
  fc
    .integer({ min: 0, max: 1_000_000 })
    .map((n) => `($f := function($n, $acc){ $n <= 0 ? $acc : $f($n - 1, $acc + 1) }; $f(${n}, 0))`),
  fc.constant('($f := function($x){ $f($x) }; $f(1))'),
  fc.constant('($g := function($x){ $h($x) }; $h := function($x){ $g($x) }; $g(1))'),
  fc.integer({ min: 1, max: 3_000 }).map((d) => `${'('.repeat(d)}1${')'.repeat(d)}`),
  fc.integer({ min: 1, max: 3_000 }).map((d) => `${'['.repeat(d)}1${']'.repeat(d)}`),
  fc.integer({ min: 1, max: 1_000 }).map((d) => `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
);

const reserved = fc.constantFrom(
  '{ "__proto__": { "polluted": true } }',
  'vars.constructor',
  '$lookup(input, "__proto__")',
  '{ ("__pro" & "to__"): 1 }',
  'input.prototype',
  '$merge([{ "constructor": 1 }])',
);

const leaf = fc.oneof(
  { arbitrary: regexCall, weight: 4 },
  { arbitrary: builder, weight: 4 },
  { arbitrary: recursion, weight: 2 },
  { arbitrary: reserved, weight: 1 },
);
const expression = fc.oneof(
  { arbitrary: leaf, weight: 3 },
  {
    arbitrary: fc
      .tuple(leaf, leaf, fc.constantFrom('[%a, %b]', '{ "a": %a, "b": %b }', '$string(%a) & $string(%b)', '$count([%a, %b])'))
      .map(([a, b, shape]) => shape.replace('%a', a).replace('%b', b)),
    weight: 1,
  },
);

function flowOf(source: string, id: string): string {
  return JSON.stringify({
    format: 'runloom/v1',
    id,
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'eval', type: 'task', action: 'set', input: { value: `=${source}` }, output: 'result' },
      { id: 'done', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'eval' },
      { from: 'eval', to: 'done' },
    ],
  });
}

describe('fuzz: generated expressions through validate and run', () => {
  let runloom: Runloom;
  beforeAll(async () => {
    runloom = await createRunloom({ store: 'memory:' });
  });
  afterAll(async () => {
    await runloom.close();
  });

  it(`${CASES} expressions: a problem at its path, a completed run, or a step failure naming it`, async () => {
    const seen = { invalid: 0, completed: 0, failed: 0 };
    let slowest = 0;
    let slowestSource = '';
    let n = 0;
    await fc.assert(
      fc.asyncProperty(expression, async (source) => {
        const id = `fuzz-${n++}`;
        const started = performance.now();
        try {
          await runloom.flows.publish(flowOf(source, id), `${id}.json`);
        } catch (error) {
          expect(error, source).toBeInstanceOf(FlowInvalidError);
          const problems = (error as FlowInvalidError).problems;
          expect(problems.length, source).toBeGreaterThan(0);
          for (const p of problems) expect(p.path, `${source}: ${p.message}`).toMatch(/^nodes\[1\]\.input(\.value)?/);
          seen.invalid++;
          return;
        }
        const run = await runloom.runs.start(id, { text: `${'a'.repeat(40)}!` });
        const done = await runloom.runs.wait(run.id);
        const ms = performance.now() - started;
        if (ms > slowest) [slowest, slowestSource] = [ms, source];
        expect(ms, source).toBeLessThan(WALL_MS);
        if (done.status === 'completed') {
          seen.completed++;
          return;
        }
        expect(done.status, source).toBe('failed');
        expect(done.error?.message, source).toContain("node 'eval' input.value: expression `");
        expect(done.error?.message, source).toContain(source.slice(0, 40));
        seen.failed++;
      }),
      { numRuns: CASES, seed: Number(process.env.FUZZ_SEED ?? 12_12_2026), endOnFailure: true },
    );
    expect(seen.invalid + seen.completed + seen.failed).toBe(CASES);
    // every class is exercised, not only the easy one
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(CASES / 20);
    expect(process.resourceUsage().maxRSS * 1024).toBeLessThan(PEAK_RSS_BYTES);
    console.log(
      `fuzz: ${JSON.stringify(seen)}, slowest case ${Math.round(slowest)} ms (${slowestSource.slice(0, 120)}), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
  }, 600_000);
});
