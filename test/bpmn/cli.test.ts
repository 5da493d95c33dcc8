/**
 * The CLI with BPMN files: `import bpmn` writes runloom/v1 YAML (and the processes it calls
 * beside it), `validate` and `run` take a .bpmn file directly, and a refused file exits 2 with
 * every refused element named with its line.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { cli, expectNoStack, shown, tempDir } from '../cli/helpers.js';
import { counterBpmn } from './support.js';

const CORPUS = new URL('../../../shared/corpus/bpmn/', import.meta.url).pathname;
const tmp = tempDir('runloom-bpmn-cli-');
afterAll(() => tmp.cleanup());
const corpus = (name: string) => {
  const path = tmp.path(name);
  copyFileSync(`${CORPUS}${name}`, path);
  return path;
};

describe('runloom with BPMN files', { timeout: 60_000 }, () => {
  it('import bpmn -o writes the flow and, beside it, the process its call activity calls', async () => {
    const file = corpus('call-activity.bpmn');
    const result = await cli(['import', 'bpmn', file, '-o', tmp.path('main.yaml')]);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toContain('wrote');
    const main = YAML.parse(readFileSync(tmp.path('main.yaml'), 'utf8'));
    expect(main).toMatchObject({ format: 'runloom/v1', id: 'process_1' });
    expect(main.nodes).toContainEqual({ id: 'call-activity', type: 'subflow', flow: 'called-process' });
    const called = YAML.parse(readFileSync(tmp.path('called-process.yaml'), 'utf8'));
    expect(called.nodes.map((n: { id: string }) => n.id)).toEqual(['_start', 'task', '_end']);
    const back = await cli(['validate', tmp.path('main.yaml'), tmp.path('called-process.yaml')]);
    expect(back.code, shown(back)).toBe(0);
  });

  it('run file.bpmn runs it (timers included) and exits 0; validate file.bpmn says ✓', async () => {
    const file = corpus('timer-event.bpmn');
    const run = await cli(['--store', tmp.path('timer.db'), 'run', file]);
    expect(run.code, shown(run)).toBe(0);
    expect(run.stdout).toContain('timer.fired duration');
    expect(run.stdout).toMatch(/: completed · /);
    const valid = await cli(['validate', file]);
    expect(valid.code, shown(valid)).toBe(0);
    expect(valid.stdout).toBe(`✓ ${file}\n`);
  });

  it('--bpmn-scripts runs script tasks in the sandbox (validate, run); without it they are refused naming the flag', async () => {
    const file = tmp.path('counter.bpmn');
    writeFileSync(file, counterBpmn());
    const refused = await cli(['validate', file]);
    expect(refused.code, shown(refused)).toBe(2);
    expect(refused.stdout + refused.stderr).toContain('`runloom --bpmn-scripts`');
    const valid = await cli(['--bpmn-scripts', 'validate', file]);
    expect(valid.code, shown(valid)).toBe(0);
    const run = await cli(['--bpmn-scripts', '--store', tmp.path('counter.db'), '--json', 'run', file]);
    expect(run.code, shown(run)).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.filter((e) => e.type === 'step.completed' && e.nodeId === 'count')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'run.summary', run: { status: 'completed' } });
  });

  it('a file with elements Runloom refuses: exit 2, every one named with its type and line, nothing run', async () => {
    const file = corpus('loop.bpmn');
    for (const args of [
      ['validate', file],
      ['import', 'bpmn', file],
      ['--store', tmp.path('loop.db'), 'run', file],
    ]) {
      const result = await cli(args);
      expect(result.code, shown(result)).toBe(2);
      const text = result.stdout + result.stderr;
      expect(text).toContain("line 22: [BPMN_UNSUPPORTED] scriptTask 'scriptTask2'");
      expect(text).toContain("line 28: [BPMN_UNSUPPORTED] scriptTask 'scriptTask1'");
      expect(text).toContain("line 18: [BPMN_UNSUPPORTED] sequenceFlow 'flow3'");
      expectNoStack(result);
    }
  });

  it('a missing or non-BPMN file: exit 2 with one sentence', async () => {
    const missing = await cli(['import', 'bpmn', tmp.path('nope.bpmn')]);
    expect(missing.code, shown(missing)).toBe(2);
    expect(missing.stderr).toContain('cannot read BPMN file');
    const notBpmn = await cli(['import', 'bpmn', `${CORPUS}README.md`]);
    expect(notBpmn.code, shown(notBpmn)).toBe(2);
    expect(notBpmn.stderr).toContain('[BPMN_PARSE] not BPMN 2.0 XML');
    expectNoStack(notBpmn);
  });
});
