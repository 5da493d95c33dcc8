/**
 * Bad input at the CLI boundary (F9.1): each is refused with exit 2 and one clear message that
 * names what is wrong and where (stderr), never a stack trace, and nothing is half-written: the
 * store has no new run (and, where the refusal comes before the store is needed, no store file).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, cli, example, expectRefused, shown, tempDir, withStore, writeFile } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

mkdirSync(tmp.path('bad'));
const BAD_FLOW = writeFile(
  tmp.path('bad', 'bad.yaml'),
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
mkdirSync(tmp.path('needs'));
const NEEDS_INPUT = writeFile(
  tmp.path('needs', 'needs-input.yaml'),
  `format: runloom/v1
id: needs-input
inputs:
  type: object
  properties:
    email: { type: string }
    count: { type: integer, minimum: 1 }
  required: [email]
nodes:
  - { id: start, type: start }
  - { id: done, type: end }
edges:
  - { from: start, to: done }
`,
);
const NOT_JSON = writeFile(tmp.path('input.txt'), 'email = ada@example.com\n');
const NOT_OBJECT = writeFile(tmp.path('input-array.json'), '["ada@example.com"]\n');

let stores = 0;
/** A store file of its own for one command, and what it held afterwards. */
async function refusedWith(
  args: (db: string) => string[],
): Promise<{ result: CliResult; db: string; runs: number; created: boolean }> {
  const db = tmp.path(`s${++stores}.db`);
  const result = await cli(args(db));
  const created = existsSync(db);
  const runs = created ? (await withStore(db, (r) => r.runs.list())).length : 0;
  return { result, db, runs, created };
}

describe.concurrent('bad input: exit 2, a clear message, nothing written', { timeout: 60_000 }, () => {
  it('an invalid flow file: every problem with its path and code; nothing published', async () => {
    const { result, db, runs } = await refusedWith((db) => ['--store', db, 'run', BAD_FLOW]);
    expectRefused(
      result,
      '[FLOW_INVALID]',
      `${BAD_FLOW}: flow is invalid (2 problems)`,
      /nodes\[1\]\.action: \[UNKNOWN_ACTION\] .*no\.such\.action/,
      /edges\[1\]\.to: \[UNKNOWN_NODE\] .*shipp/,
    );
    expect(runs).toBe(0);
    expect(await withStore(db, (r) => r.flows.list())).toEqual([]);
  });

  it('a missing flow file, a directory, a malformed flow@version: refused before the store is opened', async () => {
    const [missing, directory, badVersion] = await Promise.all([
      refusedWith((db) => ['--store', db, 'run', tmp.path('nope.yaml')]),
      refusedWith((db) => ['--store', db, 'run', tmp.path('bad')]),
      refusedWith((db) => ['--store', db, 'run', 'approval-signal@latest']),
    ]);
    expectRefused(missing.result, '[NOT_FOUND]', tmp.path('nope.yaml'), 'no such file');
    expectRefused(directory.result, tmp.path('bad'), 'is a directory');
    expectRefused(badVersion.result, "'approval-signal@latest'", 'version');
    for (const { created } of [missing, directory, badVersion]) expect(created).toBe(false);
  });

  it('malformed --input, --input-file that is not JSON or not an object', async () => {
    const [noEquals, notJson, notObject] = await Promise.all([
      refusedWith((db) => ['--store', db, 'run', example('approval-signal.yaml'), '-i', 'employee']),
      refusedWith((db) => ['--store', db, 'run', NEEDS_INPUT, '--input-file', NOT_JSON]),
      refusedWith((db) => ['--store', db, 'run', NEEDS_INPUT, '--input-file', NOT_OBJECT]),
    ]);
    expectRefused(noEquals.result, '[BAD_REQUEST]', "--input 'employee'", 'key=value');
    expectRefused(notJson.result, `--input-file ${NOT_JSON}`, 'not valid JSON');
    expectRefused(notObject.result, `--input-file ${NOT_OBJECT}`, 'must hold a JSON object');
    for (const { created } of [noEquals, notJson, notObject]) expect(created).toBe(false);
  });

  it("input failing the flow's inputs schema: INPUT_INVALID naming each field; no run", async () => {
    const { result, runs } = await refusedWith((db) => ['--store', db, 'run', NEEDS_INPUT, '-i', 'count=0']);
    expectRefused(result, '[INPUT_INVALID]', "flow 'needs-input'", "'email'", '/count must be >= 1');
    expect(runs).toBe(0);
  });

  it('an unknown run id (NOT_FOUND); a flow id that is not published (NOT_FOUND)', async () => {
    const [signal, flow] = await Promise.all([
      refusedWith((db) => ['--store', db, 'runs', 'signal', 'run_nope', 'approval', '--data', '{"approved":true}']),
      refusedWith((db) => ['--store', db, 'run', 'not-published']),
    ]);
    expectRefused(signal.result, "[NOT_FOUND] run 'run_nope' not found");
    expectRefused(flow.result, "[NOT_FOUND] flow 'not-published' not found");
    for (const { result, runs } of [signal, flow]) {
      expect(result.stdout).toBe('');
      expect(runs).toBe(0);
    }
  });

  it('an unknown option or command, a missing argument, a --data that is not JSON: the message once', async () => {
    const [option, command, missingArg, data] = await Promise.all([
      refusedWith((db) => ['--store', db, 'run', example('approval-signal.yaml'), '--bogus']),
      refusedWith((db) => ['--store', db, 'runs', 'frobnicate']),
      refusedWith((db) => ['--store', db, 'runs', 'decide', 'run_x', 'payout']),
      refusedWith((db) => ['--store', db, 'runs', 'signal', 'run_x', 'approval', '--data', '{approved:true}']),
    ]);
    const count = (text: string, part: string) => text.split(part).length - 1;
    expectRefused(option.result, "error: unknown option '--bogus'");
    expect(count(option.result.stderr, 'unknown option'), shown(option.result)).toBe(1);
    expectRefused(command.result, "error: unknown command 'frobnicate'");
    expect(count(command.result.stderr, 'unknown command'), shown(command.result)).toBe(1);
    expectRefused(missingArg.result, "error: missing required argument 'to'");
    expectRefused(data.result, '--data', 'not valid JSON');
    for (const { created } of [option, command, missingArg, data]) expect(created).toBe(false);
  });

  it('--durability fast, runs list --status nonsense, runs list --limit that is not a count', async () => {
    const [durability, status, limit] = await Promise.all([
      refusedWith((db) => ['--store', db, '--durability', 'fast', 'run', example('approval-signal.yaml')]),
      refusedWith((db) => ['--store', db, 'runs', 'list', '--status', 'waiting,nonsense']),
      refusedWith((db) => ['--store', db, 'runs', 'list', '--limit', '10abc']),
    ]);
    expectRefused(durability.result, '--durability', "'fast'", 'strict or normal');
    expectRefused(status.result, "--status 'nonsense'", 'queued, running, waiting, paused, completed, failed, cancelled');
    expectRefused(limit.result, "--limit must be a whole number ≥ 1, not '10abc'");
    for (const { created } of [durability, status, limit]) expect(created).toBe(false);
  });

  it('a --store that cannot be opened: named, without the driver stack', async () => {
    const result = await cli(['--store', tmp.path('bad'), 'runs', 'list']);
    expectRefused(result, `--store '${tmp.path('bad')}' cannot be opened`);
  });
});
