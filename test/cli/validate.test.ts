/**
 * `runloom validate <files…>`: every problem of every file, each with its path, code and a
 * sentence; exit 0 when all are valid, 2 otherwise; one JSON object per file with --json.
 */
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, EXAMPLES, example, expectNoStack, ndjson, shown, tempDir, writeFile } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const BAD = writeFile(
  tmp.path('bad.yaml'),
  `format: runloom/v1
id: bad
nodes:
  - { id: start, type: start }
  - { id: charge, type: task, action: no.such.action }
edges:
  - { from: start, to: charge }
  - { from: charge, to: shipp }
`,
);
const BROKEN_YAML = writeFile(tmp.path('broken.yaml'), 'format: runloom/v1\nid: broken\nnodes: [\n  - {id: x\n');
const GOOD = writeFile(
  tmp.path('good.json'),
  JSON.stringify({
    format: 'runloom/v1',
    id: 'good',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'done', type: 'end' },
    ],
    edges: [{ from: 'start', to: 'done' }],
  }),
);
const MISSING = tmp.path('missing.yaml');
const ALL_CONDITIONAL = writeFile(
  tmp.path('all-conditional.yaml'),
  `format: runloom/v1
id: all-conditional
nodes:
  - { id: start, type: start }
  - { id: route, type: decision }
  - { id: done, type: end }
edges:
  - { from: start, to: route }
  - { from: route, to: done, when: "input.a" }
`,
);

const examples = readdirSync(EXAMPLES)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map(example);

describe.concurrent('runloom validate', () => {
  it('every example is valid: exit 0, one ✓ line per file', async () => {
    const result = await cli(['validate', ...examples]);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual(examples.map((file) => `✓ ${file}`));
    expect(result.stderr).toBe('');
  });

  it('invalid files: exit 2, every problem as `path: [CODE] sentence` on stdout, valid files still ✓', async () => {
    const result = await cli(['validate', BAD, GOOD, BROKEN_YAML]);
    expect(result.code, shown(result)).toBe(2);
    const out = result.stdout;
    expect(out).toContain(`✗ ${BAD} (2 problems)\n`);
    expect(out).toMatch(/^ {2}nodes\[1\]\.action: \[UNKNOWN_ACTION\] .*'no\.such\.action'/m);
    expect(out).toMatch(/^ {2}edges\[1\]\.to: \[UNKNOWN_NODE\] .*'shipp'/m);
    expect(out).toContain(`✓ ${GOOD}\n`);
    expect(out).toMatch(
      new RegExp(`✗ ${BROKEN_YAML} \\(\\d+ problems?\\)\\n {2}\\(root\\): \\[PARSE\\] invalid YAML: .*line \\d+`),
    );
    expectNoStack(result);
  });

  it('an all-conditional decision is valid (BPMN allows it): exit 0, with a warning naming the node', async () => {
    const result = await cli(['validate', ALL_CONDITIONAL]);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toContain(`✓ ${ALL_CONDITIONAL}`);
    expect(result.stdout).toContain("nodes[1]: warning [DECISION_WITHOUT_DEFAULT] decision node 'route'");
    expect(result.stdout).toContain('NO_PATH');
  });

  it('--json: one object per file with valid and its problems (a missing file is a PARSE problem)', async () => {
    const result = await cli(['validate', '--json', GOOD, BAD, MISSING]);
    expect(result.code, shown(result)).toBe(2);
    const lines = ndjson(result) as {
      file: string;
      valid: boolean;
      problems: { path: string; code: string; message: string }[];
    }[];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ file: GOOD, valid: true, problems: [], warnings: [] });
    expect(lines[1]).toMatchObject({ file: BAD, valid: false });
    expect(lines[1].problems.map((p) => [p.path, p.code])).toEqual([
      ['nodes[1].action', 'UNKNOWN_ACTION'],
      ['edges[1].to', 'UNKNOWN_NODE'],
    ]);
    expect(lines[1].problems.every((p) => p.message.length > 10)).toBe(true);
    expect(lines[2]).toMatchObject({ file: MISSING, valid: false, problems: [{ code: 'PARSE' }] });
    expect(lines[2].problems[0].message).toContain('ENOENT');
    // The broken file beside them is not validated here: one warning names it.
    expect(result.stderr).toBe(`warning: ${BROKEN_YAML} is left out: (root): [PARSE] ${result.stderr.split('[PARSE] ')[1]}`);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
