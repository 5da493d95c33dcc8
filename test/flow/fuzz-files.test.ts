/**
 * Fuzz of flow files (issue 12, acceptance): 2,000 generated files — deep, wide, many keys,
 * YAML anchors and aliases (bombs among them), reserved keys, control characters — each parsed,
 * validated and, when valid, published and run. Every one ends as the CLI would exit 0–3: a
 * FlowInvalidError naming the file with a code and a path for each problem (2), or a run that
 * completes (0), fails (1) or waits (3). Nothing else is thrown, no case takes longer than a
 * generous wall-time bound, and the process's memory stays bounded. A sample goes through the
 * real `runloom validate` and `runloom run` too.
 */

import { mkdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/watch.js';
import { FlowInvalidError } from '../../src/errors.js';
import { PROBLEM_CODES } from '../../src/flow/index.js';
import { createRunloom } from '../../src/runloom.js';
import { cli, expectNoStack, shown, tempDir, writeFile } from '../cli/helpers.js';

const CASES = 2_000;
const CASE_MS = 5_000;
const tmp = tempDir('runloom-fuzz-');
afterAll(() => tmp.cleanup());

const CONTROL = ['\u0000', '\n', '\r', '\t', '\u001b[31m', '\u007f', '\u009b', '\u2028'];
const RESERVED = ['__proto__', 'constructor', 'prototype'];

const nasty = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(...CONTROL).map((c) => `id${c}x`),
  fc.constantFrom(...RESERVED),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const key = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/) }, { weight: 1, arbitrary: nasty });

/** Any JSON value, with nasty keys and strings, some of them expressions. */
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      nasty,
      fc.constantFrom('=vars.x', '=input.a & "!"', '=$count([1,2])', '=(', '==literal'),
    ),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** The input of the flow's task, with one of the shapes that used to hurt. */
type Shape =
  | { kind: 'plain'; input: unknown }
  | { kind: 'deep'; levels: number; asArray: boolean }
  | { kind: 'wide'; keys: number }
  | { kind: 'aliases'; uses: number }
  | { kind: 'bomb'; levels: number; fanout: number }
  | { kind: 'reserved'; key: string; at: number };

const shape: fc.Arbitrary<Shape> = fc.oneof(
  value.map((input) => ({ kind: 'plain' as const, input })),
  fc.record({ kind: fc.constant('deep' as const), levels: fc.integer({ min: 1, max: 1_000 }), asArray: fc.boolean() }),
  fc.record({ kind: fc.constant('wide' as const), keys: fc.integer({ min: 1, max: 2_000 }) }),
  fc.record({ kind: fc.constant('aliases' as const), uses: fc.integer({ min: 1, max: 500 }) }),
  fc.record({
    kind: fc.constant('bomb' as const),
    levels: fc.integer({ min: 1, max: 9 }),
    fanout: fc.integer({ min: 2, max: 12 }),
  }),
  fc.record({ kind: fc.constant('reserved' as const), key: fc.constantFrom(...RESERVED), at: fc.integer({ min: 0, max: 3 }) }),
);

const fileCase = fc.record({
  yaml: fc.boolean(),
  id: fc.oneof({ weight: 5, arbitrary: fc.constant('fuzz') }, { weight: 1, arbitrary: nasty }),
  nodeId: fc.oneof({ weight: 5, arbitrary: fc.constant('work') }, { weight: 1, arbitrary: nasty }),
  action: fc.constantFrom('set', 'set', 'log', 'delay', 'json.transform', 'no.such'),
  shape,
  // Mostly nothing: an unknown top-level field makes the file invalid, and valid files must run too.
  extra: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(key, value, { maxKeys: 2 }) }),
});
type FileCase = typeof fileCase extends fc.Arbitrary<infer T> ? T : never;

const q = JSON.stringify; // a JSON string is a YAML double-quoted scalar

/** The file's text. Anchors and aliases only exist in YAML, so those shapes are always YAML. */
function render(c: FileCase): { text: string; yaml: boolean } {
  const s = c.shape;
  const head = { format: 'runloom/v1', id: c.id, ...c.extra };
  const nodes = (input: string) =>
    `nodes:\n  - { id: start, type: start }\n  - { id: ${q(c.nodeId)}, type: task, action: ${c.action}, input: ${input} }\n  - { id: done, type: end }\nedges:\n  - { from: start, to: ${q(c.nodeId)} }\n  - { from: ${q(c.nodeId)}, to: done }\n`;
  const yamlHead = Object.entries(head)
    .map(([k, v]) => `${q(k)}: ${q(v)}`)
    .join('\n');
  if (s.kind === 'aliases') {
    const many = Array(s.uses).fill('*shared').join(', ');
    return { yaml: true, text: `${yamlHead}\n${nodes(`{ shared: &shared { message: hello, n: 1 }, many: [${many}] }`)}` };
  }
  if (s.kind === 'bomb') {
    let anchors = `l0: &l0 ${q('x'.repeat(10))}`;
    for (let i = 1; i <= s.levels; i++)
      anchors += `, l${i}: &l${i} [${Array(s.fanout)
        .fill(`*l${i - 1}`)
        .join(', ')}]`;
    return { yaml: true, text: `${yamlHead}\n${nodes(`{ ${anchors} }`)}` };
  }
  let input: unknown;
  if (s.kind === 'plain') input = s.input;
  else if (s.kind === 'deep') {
    input = 'leaf';
    for (let i = 0; i < s.levels; i++) input = s.asArray ? [input] : { a: input };
  } else if (s.kind === 'wide') {
    input = Object.fromEntries(Array.from({ length: s.keys }, (_, i) => [`k${i}`, i]));
  } else {
    let inner: Record<string, unknown> = { [s.key]: { polluted: true } };
    for (let i = 0; i < s.at; i++) inner = { nest: inner };
    input = inner;
  }
  const inputText = JSON.stringify(input) ?? 'null';
  if (!c.yaml) {
    const flow = JSON.parse(
      `{"nodes":[{"id":"start","type":"start"},{"id":${q(c.nodeId)},"type":"task","action":${q(c.action)},"input":${inputText}},{"id":"done","type":"end"}]}`,
    );
    const text = `{${JSON.stringify(head).slice(1, -1)},${JSON.stringify({
      nodes: flow.nodes,
      edges: [
        { from: 'start', to: c.nodeId },
        { from: c.nodeId, to: 'done' },
      ],
    }).slice(1)}`;
    return { yaml: false, text };
  }
  return { yaml: true, text: `${yamlHead}\n${nodes(inputText)}` };
}

describe('fuzz: generated flow files through validate and run', () => {
  it(`${CASES.toLocaleString('en-US')} files: each ends as exit 0–3 with its file and paths named, quickly, in bounded memory`, async () => {
    const runloom = await createRunloom({ store: 'memory:' });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const outcomes = new Map<string, number>();
    const slowest = { ms: 0, shape: '' };
    const samples: { text: string; yaml: boolean }[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fileCase, async (c) => {
          const { text, yaml } = render(c);
          const file = `case.${yaml ? 'yaml' : 'json'}`;
          const started = performance.now();
          let code: number;
          try {
            const record = await runloom.flows.publish(text, file);
            const run = await runloom.runs.start({ flowId: record.flowId, version: record.version }, {});
            const view = await Promise.race([
              runloom.runs.wait(run.id, (s) => s.status !== 'running'),
              new Promise<never>((_, reject) =>
                setTimeout(() => reject(new Error(`run did not settle in ${CASE_MS} ms`)), CASE_MS),
              ),
            ]);
            code = exitCodeOf(view);
          } catch (error) {
            if (!(error instanceof FlowInvalidError)) throw error; // a crash: anything else fails the case
            expect(error.message.startsWith(`${file}: flow is invalid`)).toBe(true);
            expect(error.problems.length).toBeGreaterThan(0);
            for (const p of error.problems) {
              expect(PROBLEM_CODES).toContain(p.code);
              expect(typeof p.path).toBe('string');
              expect(p.message.length).toBeGreaterThan(5);
            }
            code = 2;
          }
          const ms = performance.now() - started;
          expect(ms, `${c.shape.kind} took ${Math.round(ms)} ms`).toBeLessThan(CASE_MS);
          if (ms > slowest.ms) Object.assign(slowest, { ms, shape: c.shape.kind });
          expect([0, 1, 2, 3]).toContain(code);
          const label = `${c.shape.kind}:${code}`;
          outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
          peak = Math.max(peak, process.memoryUsage().rss);
          if (samples.length < 12 && (outcomes.get(label) ?? 0) === 1) samples.push({ text, yaml });
        }),
        { numRuns: CASES, seed: Number(process.env.FUZZ_SEED ?? 20261207), endOnFailure: true },
      );
    } finally {
      await runloom.close();
    }
    // Every kind of file was tried, and some of them ran.
    const kinds = new Set([...outcomes.keys()].map((label) => label.split(':')[0]));
    expect([...kinds].sort()).toEqual(['aliases', 'bomb', 'deep', 'plain', 'reserved', 'wide']);
    for (const kind of ['aliases', 'bomb', 'deep', 'plain', 'wide']) expect(outcomes.get(`${kind}:0`), kind).toBeGreaterThan(0);
    expect(peak - baseline, `peak RSS grew by ${Math.round((peak - baseline) / 2 ** 20)} MiB`).toBeLessThan(1024 * 2 ** 20);
    console.log(
      `fuzz outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; slowest ${Math.round(slowest.ms)} ms (${slowest.shape}); peak RSS +${Math.round((peak - baseline) / 2 ** 20)} MiB`,
    );

    // A sample through the real CLI: one validate of them all, then a run of each.
    mkdirSync(tmp.path('cases'));
    const files = samples.map((s, i) => writeFile(tmp.path('cases', `case-${i}.${s.yaml ? 'yaml' : 'json'}`), s.text));
    const validate = await cli(['validate', ...files], { timeoutMs: 60_000 });
    expect([0, 2], shown(validate)).toContain(validate.code);
    for (const file of files) expect(validate.stdout).toContain(file);
    expectNoStack(validate);
    const runs = await Promise.all(
      files.map((file) => cli(['--store', tmp.path('cases.db'), 'run', file], { timeoutMs: 60_000 })),
    );
    for (const run of runs) {
      expect([0, 1, 2, 3], shown(run)).toContain(run.code);
      expectNoStack(run);
      if (run.code === 2) expect(run.stderr, shown(run)).toMatch(/case-\d+\.(yaml|json)/);
    }
  }, 300_000);
});
