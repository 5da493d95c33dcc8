/**
 * Flow files and inputs that used to crash, hang or mislead the CLI (issue 12, items 8, 9, 12
 * and 13), through the real command: exit 2 with the file and the path named, no stack; the
 * file named on the command line wins over its siblings; control characters come out escaped.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, expectNoStack, expectRefused, runIdOf, shown, tempDir, withStore, writeFile } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const flow = (id: string, message: string, extra = '') => `format: runloom/v1
id: ${id}
nodes:
  - { id: start, type: start }
  - { id: say, type: task, action: set, input: { said: "${message}" }, output: said }
${extra}  - { id: done, type: end }
edges:
  - { from: start, to: say }
  - { from: say, to: done }
`;

describe('deep and large files and inputs: exit 2 naming the file, not a stack overflow', () => {
  mkdirSync(tmp.path('deep'));
  const deepJson = writeFile(tmp.path('deep', 'deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  const deepYaml = writeFile(tmp.path('deep', 'deep.yaml'), `format: runloom/v1\nid: deep\ninput:\n${'- '.repeat(3_000)}x\n`);
  const good = writeFile(tmp.path('deep', 'good.yaml'), flow('good', 'hi'));
  const deepInput = writeFile(tmp.path('deep-input.json'), `{"a":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_001)}`);
  const db = tmp.path('deep.db');

  it('validate: JSON 100,000 levels and YAML 3,000 levels are TOO_DEEP problems of their file', async () => {
    const result = await cli(['validate', deepJson, deepYaml]);
    expect(result.code, shown(result)).toBe(2);
    expect(result.stdout).toContain(
      `✗ ${deepJson} (1 problem)\n  [0][0][0][0][0][0][0][0]…: [TOO_DEEP] nested deeper than 200 levels`,
    );
    expect(result.stdout).toMatch(
      new RegExp(
        `✗ ${deepYaml} \\(1 problem\\)\\n {2}\\(root\\): \\[TOO_DEEP\\] nested deeper than 200 levels at line 4, column \\d+`,
      ),
    );
    expectNoStack(result);
  });

  it('run of a deep file: exit 2 naming it; --input-file and --data nested 5,000 deep: exit 2 naming the option', async () => {
    const [file, inputFile] = await Promise.all([
      cli(['--store', db, 'run', deepYaml]),
      cli(['--store', db, 'run', good, '--input-file', deepInput]),
    ]);
    expectRefused(file, `${deepYaml}: flow is invalid`, '[TOO_DEEP]');
    expectRefused(inputFile, `--input-file ${deepInput}: a.a.a.a.a.a.a.a…: nested deeper than 200 levels`);
    const data = await cli([
      '--store',
      db,
      'runs',
      'signal',
      'run_x',
      'go',
      '--data',
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    ]);
    expectRefused(data, '--data: [0][0][0][0][0][0][0][0]…: nested deeper than 200 levels');
    const proto = await cli(['--store', db, 'run', good, '-i', 'x={"__proto__":{"polluted":true}}']);
    expectRefused(proto, "--input 'x': __proto__: '__proto__' is a reserved key");
  });

  it('a file over 4 MiB is refused before it is parsed', async () => {
    const huge = writeFile(tmp.path('huge.yaml'), `format: runloom/v1\nid: huge\n${'# padding\n'.repeat(450_000)}`);
    const result = await cli(['validate', huge]);
    expect(result.code, shown(result)).toBe(2);
    expect(result.stdout).toContain('[TOO_LARGE] the file is 4,500,028 bytes; a flow file holds at most 4,194,304');
  });
});

describe('siblings: the file named wins, and only what it calls matters', () => {
  mkdirSync(tmp.path('sib'));
  const good = writeFile(tmp.path('sib', 'good.yaml'), flow('twin', 'from good.yaml'));
  writeFile(tmp.path('sib', 'zzz.yaml'), flow('twin', 'from zzz.yaml'));
  const names = 'abcdefghi';
  let bomb = 'format: runloom/v1\nid: bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < names.length; i++)
    bomb += `${names[i]}: &${names[i]} [${Array(10)
      .fill(`*${names[i - 1]}`)
      .join(', ')}]\n`;
  const bombFile = writeFile(tmp.path('sib', 'bomb.yaml'), bomb);
  const db = tmp.path('sib.db');

  it('run good.yaml runs its own text beside a same-id sibling and an alias bomb; both are warnings', async () => {
    const result = await cli(['--store', db, 'run', good]);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toContain('"said": "from good.yaml"');
    expect(result.stderr).toContain(
      `warning: ${bombFile} is left out: f[7]: [TOO_LARGE] aliases expand the document past 1,000,000 nodes (line 8, column 36)`,
    );
    expect(result.stderr).toContain(`warning: ${tmp.path('sib', 'zzz.yaml')} also defines flow 'twin'; ${good} is the one used`);
    expectNoStack(result);
  });

  it('a sibling the flow calls is published with it; one that is broken fails the run, naming it', async () => {
    mkdirSync(tmp.path('calls'));
    const caller = writeFile(
      tmp.path('calls', 'caller.yaml'),
      flow('caller', 'x', '  - { id: sub, type: subflow, flow: callee, output: sub }\n').replace(
        '  - { from: say, to: done }',
        '  - { from: say, to: sub }\n  - { from: sub, to: done }',
      ),
    );
    const callee = writeFile(tmp.path('calls', 'callee.yaml'), flow('callee', 'from the callee'));
    writeFile(tmp.path('calls', 'unrelated.yaml'), flow('unrelated', 'x').replace('action: set', 'action: no.such'));
    const ok = await cli(['--store', db, 'run', caller]);
    expect(ok.code, shown(ok)).toBe(0);
    expect(ok.stdout).toContain('"said": "from the callee"');
    expect(ok.stderr, 'an unrelated sibling is not even validated').toBe('');

    writeFile(callee, flow('callee', 'x').replace('action: set', 'action: no.such'));
    const broken = await cli(['--store', tmp.path('calls.db'), 'run', caller]);
    expectRefused(broken, `${callee}: flow is invalid`, '[UNKNOWN_ACTION]');
  });
});

describe('control characters in ids and names are printed escaped', () => {
  it('a run id with an ANSI escape, a NUL and a newline', async () => {
    const db = tmp.path('ctl.db');
    const result = await cli(['--store', db, 'runs', 'show', 'run_\x1b[31mred\nnext']);
    expectRefused(result, "run 'run_\\x1b[31mred\\nnext' not found");
    expect(result.stderr).not.toContain('\x1b');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a signal name and a flow problem quoting a bad id', async () => {
    mkdirSync(tmp.path('ctl'));
    const bad = writeFile(
      tmp.path('ctl', 'bad.json'),
      JSON.stringify({ format: 'runloom/v1', id: 'x', nodes: [{ id: 'a\x1b[2Jb\u009bc', type: 'start' }], edges: [] }),
    );
    const validate = await cli(['validate', bad]);
    expect(validate.code, shown(validate)).toBe(2);
    expect(validate.stdout).not.toMatch(/\p{Cc}(?<!\n)/u);
    expect(validate.stdout).toContain('\\x1b[2J');

    const db = tmp.path('ctl.db');
    const waits = writeFile(
      tmp.path('ctl', 'waits.yaml'),
      'format: runloom/v1\nid: waits\nnodes:\n  - { id: start, type: start }\n  - { id: w, type: wait, signal: go }\n  - { id: done, type: end }\nedges:\n  - { from: start, to: w }\n  - { from: w, to: done }\n',
    );
    const started = await cli(['--store', db, 'run', waits]);
    expect(started.code, shown(started)).toBe(3);
    const runId = runIdOf(started.stdout);
    const signal = await cli(['--store', db, 'runs', 'signal', runId, 'g\x1b[0mo']);
    expect(signal.code, shown(signal)).toBe(3);
    expect(signal.stderr).toBe(
      `warning: no wait in flow 'waits@1' uses signal 'g\\x1b[0mo' (it listens for 'go'); the signal is kept but answers nothing\n`,
    );
    expect(await withStore(db, async (r) => (await r.runs.get(runId)).status)).toBe('waiting');
  });
});
