/**
 * What the CLI prints (issue 12, items 11, 14, 16, 17): a closed stdout ends quietly and leaves
 * no run `running`; `runs show` says how each wait continues and shows failed attempts' errors;
 * `runs list` has a header or says there are no runs; limits below usage are refused with the
 * figure and an unset limit reads `unlimited`; every command and option of --help is described.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  type CliResult,
  cli,
  example,
  expectNoStack,
  expectRefused,
  runIdOf,
  shown,
  spawnCollect,
  tempDir,
  withStore,
  writeFile,
} from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
mkdirSync(tmp.path('flows'));

const LOOP = writeFile(
  tmp.path('flows', 'loop.yaml'),
  `format: runloom/v1
id: loop
defaults: { limits: { maxSteps: 20000 } }
nodes:
  - { id: start, type: start }
  - { id: count, type: task, action: set, input: { i: "=(vars.n.i ? vars.n.i : 0) + 1" }, output: n }
  - { id: again, type: decision }
  - { id: done, type: end }
edges:
  - { from: start, to: count }
  - { from: count, to: again }
  - { from: again, to: count, when: "vars.n.i < 600" }
  - { from: again, to: done, default: true }
`,
);

/** `runloom <args> | head -1` in bash: what head kept, and runloom's own exit code and stderr. */
async function pipedToHead(args: readonly string[]): Promise<CliResult> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const errFile = tmp.path(`err-${Math.random().toString(36).slice(2)}`);
  const result = await spawnCollect(['bash', '-c', `${quoted} 2>"$ERR" | head -1; exit \${PIPESTATUS[0]}`], {
    env: { ERR: errFile },
    timeoutMs: 60_000,
  });
  return { ...result, stderr: readFileSync(errFile, 'utf8') };
}

describe('a closed stdout (| head -1) ends quietly', () => {
  const db = tmp.path('pipe.db');

  it('run loop.yaml | head -1: the first line is the run id, the run is driven to its end, exit 0', {
    timeout: 60_000,
  }, async () => {
    const result = await pipedToHead(['--store', db, 'run', LOOP]);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stderr, shown(result)).toBe('');
    const runId = /^run (run_\w+)\n$/.exec(result.stdout)?.[1];
    expect(runId, shown(result)).toBeDefined();
    const view = await withStore(db, (r) => r.runs.get(runId as string));
    expect(view.status).toBe('completed');
    expect(view.usage.steps).toBeGreaterThanOrEqual(1200);

    // runs tail of its ~5,000 events, and runs list of many runs, into head -1.
    const tail = await pipedToHead(['--store', db, 'runs', 'tail', runId as string]);
    expect(tail.code, shown(tail)).toBe(0);
    expect(tail.stdout).toMatch(/^#1 run.started/);
    expect(tail.stderr).toBe('');
    const json = await pipedToHead(['--store', db, '--json', 'runs', 'tail', runId as string]);
    expect(JSON.parse(json.stdout)).toMatchObject({ runId, seq: 1, type: 'run.started' });
  });

  it('runs list | head -1 with 600 runs: the header, exit 0, nothing on stderr', { timeout: 60_000 }, async () => {
    const listDb = tmp.path('list.db');
    const empty = await cli(['--store', listDb, 'runs', 'list']);
    expect(empty.stdout).toBe('no runs\n');
    await withStore(listDb, async (r) => {
      await r.flows.publish(
        'format: runloom/v1\nid: tiny\nnodes: [{ id: start, type: start }, { id: done, type: end }]\nedges: [{ from: start, to: done }]\n',
      );
      for (let i = 0; i < 600; i++) await r.runs.start('tiny');
    });
    const result = await pipedToHead(['--store', listDb, 'runs', 'list', '--limit', '600']);
    expect(result.code, shown(result)).toBe(0);
    expect(result.stdout).toMatch(/^RUN {2,}FLOW {2,}STATUS {2,}REASON {2,}UPDATED\n$/);
    expect(result.stderr).toBe('');
    const some = await cli(['--store', listDb, 'runs', 'list', '--limit', '2']);
    const lines = some.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^run_\w+ {2}tiny@1 {2}completed {2}completed {2}\d{4}-/);
  });
});

describe('runs show and runs limits', () => {
  const db = tmp.path('show.db');
  let timerRun = '';
  beforeAll(async () => {
    timerRun = await withStore(db, async (r) => {
      await r.flows.publish(
        'format: runloom/v1\nid: cool\nnodes:\n  - { id: start, type: start }\n  - { id: cool, type: timer, duration: 1h }\n  - { id: done, type: end }\nedges:\n  - { from: start, to: cool }\n  - { from: cool, to: done }\n',
      );
      const run = await r.runs.start('cool');
      await r.runs.wait(run.id, (s) => s.status === 'waiting');
      return run.id;
    });
  });

  it('a run waiting for a timer: says it continues by itself, never suggests `runs callback`', async () => {
    const result = await cli(['--store', db, 'runs', 'show', timerRun]);
    expect(result.code, shown(result)).toBe(3);
    expect(result.stdout).toContain(`run ${timerRun}: waiting (waiting_for_timer)`);
    expect(result.stdout).toContain("waiting for a timer at 'cool': it continues by itself when the timer fires");
    expect(result.stdout).not.toContain('runs callback');
    expect(result.stdout).toMatch(/limits: 1 of 1000 steps · \d+ of 3600000 ms active · 0 of unlimited credits · 10 in parallel/);
  });

  it('--json leaves an unlimited limit out instead of printing 2^53 − 1', async () => {
    const result = await cli(['--store', db, 'runs', 'show', timerRun, '--json']);
    expect(result.code, shown(result)).toBe(3);
    expect(result.stdout).not.toContain(String(Number.MAX_SAFE_INTEGER));
    expect(JSON.parse(result.stdout).limits).toEqual({ maxSteps: 1000, maxTime: 3600000, maxParallel: 10 });
  });

  it('--steps shows each failed attempt with its error', async () => {
    const run = await cli(['--store', db, 'run', example('retry-fallback.yaml')]);
    expect(run.code, shown(run)).toBe(0);
    const result = await cli(['--store', db, 'runs', 'show', runIdOf(run.stdout), '--steps']);
    const charges = result.stdout.split('\n').filter((line) => line.includes(' charge attempt '));
    expect(charges, shown(result)).toHaveLength(3);
    for (const line of charges) expect(line).toMatch(/ failed \d+ ms {2}\[HTTP_NETWORK\] \S/);
  });

  it('runs limits below what the run used is refused with the figure; an allowed change prints the limits', async () => {
    const [steps, time, same] = await Promise.all([
      cli(['--store', db, 'runs', 'limits', timerRun, '--max-steps', '0']),
      cli(['--store', db, 'runs', 'limits', timerRun, '--max-time-ms', '0']),
      cli(['--store', db, 'runs', 'limits', timerRun, '--max-steps', '1']),
    ]);
    expectRefused(same, 'maxSteps 1 is not above the 1 step');
    expectRefused(steps, `maxSteps 0 is not above the 1 step run '${timerRun}' has already used`);
    expectRefused(time, /maxTime 0 is not above the \d+ ms of active time run 'run_\w+' has already used/);
    const raised = await cli(['--store', db, 'runs', 'limits', timerRun, '--max-steps', '50']);
    expect(raised.code, shown(raised)).toBe(3);
    expect(raised.stdout).toMatch(/^limits: 1 of 50 steps · .* · 0 of unlimited credits/);
    expect(raised.stdout).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });
});

describe('--help', () => {
  it('describes every command and every option', async () => {
    const commands = [[], ['run'], ['validate'], ['worker'], ['runs']];
    for (const sub of ['list', 'show', 'tail', 'pause', 'resume', 'cancel', 'retry', 'signal', 'callback', 'decide', 'limits']) {
      commands.push(['runs', sub]);
    }
    const results = await Promise.all(commands.map((c) => cli([...c, '--help'])));
    results.forEach((result, i) => {
      expect(result.code, shown(result)).toBe(0);
      expectNoStack(result);
      const text = result.stdout;
      if (commands[i].length > 0) expect(text, `runloom ${commands[i].join(' ')}`).toMatch(/^Usage: .+\n\n\S/);
      const entries = text.split('\n').filter((line) => /^ {2}\S/.test(line));
      expect(entries.length).toBeGreaterThan(0);
      for (const entry of entries) expect(entry, `runloom ${commands[i].join(' ')} --help`).toMatch(/^ {2}\S.*? {2,}\S/);
    });
  }, 90_000);
});
