/**
 * Files that used to hang or overflow the parser (issue 12, items 8 and 9): many keys, deep
 * nesting, alias bombs, reserved keys. Each is refused (or parsed) quickly with a problem that
 * names the path and, for YAML, the line.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_FLOW_FILE_BYTES, parseFlowText } from '../../src/flow/index.js';
import { problemsOf } from './support.js';

const timed = <T>(fn: () => T): { value: T; ms: number } => {
  const started = performance.now();
  const value = fn();
  return { value, ms: performance.now() - started };
};

const manyKeys = (n: number) => {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`k${i}: ${i}`);
  return `${lines.join('\n')}\n`;
};

describe('YAML with many keys', () => {
  it('80,000 keys parse in linear time (the quadratic uniqueKeys check took 28 s)', () => {
    const { value, ms } = timed(() => parseFlowText(manyKeys(80_000), 'wide.yaml') as Record<string, number>);
    expect(Object.keys(value)).toHaveLength(80_000);
    expect(value.k79999).toBe(79_999);
    expect(ms).toBeLessThan(10_000);
  });

  it('still finds a duplicate key among many, with its line', () => {
    const text = `${manyKeys(20_000)}k123: again\n`;
    const problems = problemsOf(() => parseFlowText(text, 'dup.yaml'));
    expect(problems[0].message).toMatch(/unique; 'k123' is repeated \(line 20001, column 1\)/);
  });

  it('refuses a file over the size cap before parsing it, with the figures', () => {
    const text = 'x'.repeat(MAX_FLOW_FILE_BYTES + 1);
    const { value: problems, ms } = timed(() => problemsOf(() => parseFlowText(text, 'huge.yaml')));
    expect(problems).toEqual([
      { path: '', code: 'TOO_LARGE', message: expect.stringMatching(/4,194,305 bytes; a flow file holds at most 4,194,304/) },
    ]);
    expect(ms).toBeLessThan(1_000);
  });
});

describe('deep nesting is a TOO_DEEP problem, not a stack overflow', () => {
  it.each([
    ['JSON arrays, 100,000 levels', '['.repeat(100_000) + ']'.repeat(100_000), 'deep.json', /^(\[0\]){8}…$/],
    ['JSON objects, 10,000 levels', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'deep.json', /^a(\.a){7}…$/],
    ['YAML flow, 100,000 levels', '['.repeat(100_000) + ']'.repeat(100_000), 'deep.yaml', /^$/],
    ['YAML block, 3,000 levels', `${'- '.repeat(3_000)}x\n`, 'deep.yaml', /^$/],
  ])('%s', (_name, text, file, path) => {
    const { value: problems, ms } = timed(() => problemsOf(() => parseFlowText(text, file)));
    expect(problems).toHaveLength(1);
    expect(problems[0].code).toBe('TOO_DEEP');
    expect(problems[0].path).toMatch(path);
    expect(problems[0].message).toContain(`deeper than ${MAX_DEPTH} levels`);
    if (file.endsWith('.yaml')) expect(problems[0].message).toMatch(/line \d+, column \d+/);
    expect(ms).toBeLessThan(10_000);
  });

  it('YAML block maps indented level by level: the line where it gets too deep', () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) lines.push(`${' '.repeat(i)}a${i}:`);
    const problems = problemsOf(() => parseFlowText(lines.join('\n'), 'deep.yaml'));
    expect(problems[0]).toMatchObject({ code: 'TOO_DEEP', path: 'a0.a1.a2.a3.a4.a5.a6.a7…' });
    expect(problems[0].message).toMatch(/\(line 201, column 201\)$/);
  });

  it('nesting up to the limit is fine', () => {
    const depth = MAX_DEPTH;
    const value = parseFlowText(`${'['.repeat(depth)}${']'.repeat(depth)}`, 'ok.json');
    expect(value).toBeInstanceOf(Array);
    expect(problemsOf(() => parseFlowText(`${'['.repeat(depth + 1)}${']'.repeat(depth + 1)}`, 'no.json'))[0].code).toBe(
      'TOO_DEEP',
    );
  });
});

describe('YAML aliases: the expanded size counts, not the number of uses', () => {
  it('a billion laughs is refused quickly, naming the path and the line', () => {
    const names = 'abcdefghi';
    let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < names.length; i++) {
      text += `${names[i]}: &${names[i]} [${Array(10)
        .fill(`*${names[i - 1]}`)
        .join(', ')}]\n`;
    }
    const { value: problems, ms } = timed(() => problemsOf(() => parseFlowText(text, 'bomb.yaml')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'TOO_LARGE', path: expect.stringMatching(/^[a-i]\[\d\]$/) });
    expect(problems[0].message).toMatch(/aliases expand the document past 1,000,000 nodes \(line \d, column \d+\)/);
    expect(ms).toBeLessThan(2_000);
  });

  it('a harmless anchor used 101 times (or 10,000 times) is fine', () => {
    const uses = (n: number) => `x: &x { a: 1 }\nl: [${Array(n).fill('*x').join(', ')}]\n`;
    const small = parseFlowText(uses(101), 'f.yaml') as { l: unknown[] };
    expect(small.l).toHaveLength(101);
    expect(small.l[100]).toEqual({ a: 1 });
    expect((parseFlowText(uses(10_000), 'f.yaml') as { l: unknown[] }).l).toHaveLength(10_000);
  });

  it('an alias inside the node it names, and an alias to no anchor, are parse problems with a line', () => {
    expect(problemsOf(() => parseFlowText('a: &a [1, *a]\n', 'f.yaml'))[0].message).toMatch(
      /alias \*a refers to a node that contains it \(line 1, column 11\)/,
    );
    expect(problemsOf(() => parseFlowText('a: 1\nb: *nope\n', 'f.yaml'))[0].code).toBe('PARSE');
  });

  it('an alias that would nest past the limit once expanded is TOO_DEEP', () => {
    const deep = `${'['.repeat(150)}${']'.repeat(150)}`;
    const problems = problemsOf(() =>
      parseFlowText(
        `a: &a ${deep}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n`,
        'f.yaml',
      ),
    );
    expect(problems[0].code).toBe('TOO_DEEP');
    expect(problems[0].message).toMatch(/once alias \*a is expanded \(line 2/);
  });

  it('merge keys are plain keys in YAML 1.2, and keys may be aliases to scalars', () => {
    expect(parseFlowText('k: &k name\n*k : 1\n', 'f.yaml')).toEqual({ k: 'name', name: 1 });
  });
});

describe('reserved keys', () => {
  it('__proto__ is refused where it is written, in JSON and YAML, with the path', () => {
    const json = problemsOf(() => parseFlowText('{"nodes": [{"input": {"__proto__": {"x": 1}}}]}', 'f.json'));
    expect(json).toEqual([{ path: 'nodes[0].input.__proto__', code: 'RESERVED_KEY', message: expect.any(String) }]);
    const yaml = problemsOf(() => parseFlowText('nodes:\n  - input:\n      __proto__: { x: 1 }\n', 'f.yaml'));
    expect(yaml[0]).toMatchObject({ path: 'nodes[0].input.__proto__', code: 'RESERVED_KEY' });
    expect(yaml[0].message).toMatch(/line 3, column 7/);
    expect(Object.getPrototypeOf(parseFlowText('a: { b: 1 }\n', 'f.yaml'))).toBe(Object.prototype);
  });
});
