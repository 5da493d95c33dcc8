/**
 * `runloom runs export|prune` (F8.4) as a user runs them, on a real SQLite file: only runs that
 * ended before the cut-off go, a waiting run never does, and nothing goes unless asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, example, expectContiguous, expectRefused, ndjson, runIdOf, shown, tempDir, withStore } from './helpers.js';

const tmp = tempDir('runloom-retention-');
/** Each test runs several commands one after another: a start-up each, slow on a busy machine. */
const SEQUENCE_MS = 90_000;
afterAll(tmp.cleanup);

describe('runs export and prune', () => {
  const db = tmp.path('runloom.db');
  const store = ['--store', db];
  let oldRun = '';
  let cut = '';
  let newRun = '';
  let waitingRun = '';

  beforeAll(async () => {
    const first = await cli([...store, 'run', example('decision-routing.yaml')]);
    expect(first.code, shown(first)).toBe(0);
    oldRun = runIdOf(first.stdout);
    cut = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the next run ends strictly after the cut-off
    const [second, waiting] = await Promise.all([
      cli([...store, 'run', example('decision-routing.yaml'), '-i', 'priority=low']),
      cli([...store, 'run', example('approval-signal.yaml')]),
    ]);
    expect(second.code, shown(second)).toBe(0);
    expect(waiting.code, shown(waiting)).toBe(3);
    newRun = runIdOf(second.stdout);
    waitingRun = runIdOf(waiting.stdout);
  }, SEQUENCE_MS);

  const runIds = () => withStore(db, async (r) => (await r.runs.list({ limit: 100 })).map((run) => run.id).sort());

  it(
    'refuses to guess a cut-off, and refuses bad ones naming the option, deleting nothing',
    async () => {
      const results = await Promise.all([
        cli([...store, 'runs', 'prune']),
        cli([...store, 'runs', 'export']),
        cli([...store, 'runs', 'prune', '--before', 'yesterday']),
        cli([...store, 'runs', 'prune', '--before', '30']),
        cli([...store, 'runs', 'prune', '--before', '2026-02-30T25:00']),
        cli([...store, 'runs', 'prune', '--before', '2999-01-01']),
        cli([...store, 'runs', 'prune'], { env: { RUNLOOM_RETENTION: 'forever' } }),
      ]);
      const [none, noneExport, word, bare, badDate, future, badEnv] = results;
      expectRefused(none, '--before', 'RUNLOOM_RETENTION', 'by default nothing is deleted');
      expectRefused(noneExport, '--before', 'RUNLOOM_RETENTION');
      expectRefused(word, "--before 'yesterday'", 'ISO date/time');
      expectRefused(bare, "--before '30'");
      expectRefused(badDate, "--before '2026-02-30T25:00'");
      expectRefused(future, "--before '2999-01-01' is in the future");
      expectRefused(badEnv, 'RUNLOOM_RETENTION="forever"');
      for (const result of results) expect(result.stdout, shown(result)).toBe('');
      expect(await runIds()).toEqual([oldRun, newRun, waitingRun].sort());
    },
    SEQUENCE_MS,
  );

  it(
    'exports the runs ended before the cut-off, whole, then prunes exactly those',
    async () => {
      const exported = await cli([...store, 'runs', 'export', '--before', cut]);
      expect(exported.code, shown(exported)).toBe(0);
      const [line, ...rest] = ndjson(exported);
      expect(rest).toEqual([]);
      const record = line as {
        run: { id: string; status: string };
        state: { output: unknown };
        events: { seq: number }[];
        steps: unknown[];
      };
      expect(record.run).toMatchObject({ id: oldRun, status: 'completed', flowId: 'decision-routing' });
      expect(record.state.output).toEqual({ ticket: 'Printer is on fire', priority: 'normal', team: 'support', sla: '8h' });
      expectContiguous(record.events.map((e) => e.seq));
      expect(record.steps.length).toBeGreaterThan(0);
      expect(exported.stderr).toContain(`exported 1 run that ended before ${cut}`);

      const dry = await cli([...store, 'runs', 'prune', '--before', cut, '--dry-run', '--json']);
      expect(JSON.parse(dry.stdout), shown(dry)).toEqual({ wouldPrune: 1, before: cut });
      expect(await runIds()).toContain(oldRun);

      const pruned = await cli([...store, 'runs', 'prune', '--before', cut]);
      expect(pruned.stdout, shown(pruned)).toBe(`pruned 1 run that ended before ${cut}\n`);
      expect(await runIds()).toEqual([newRun, waitingRun].sort());
      const shownAfter = await cli([...store, 'runs', 'show', oldRun]);
      expectRefused(shownAfter, oldRun);
    },
    SEQUENCE_MS,
  );

  it(
    'takes RUNLOOM_RETENTION as the default age, and never prunes a waiting run',
    async () => {
      const pruned = await cli([...store, 'runs', 'prune', '--json'], { env: { RUNLOOM_RETENTION: '0s' } });
      expect(pruned.code, shown(pruned)).toBe(0);
      expect((JSON.parse(pruned.stdout) as { pruned: number }).pruned).toBe(1);
      expect(await runIds()).toEqual([waitingRun]);
      const again = await cli([...store, 'runs', 'export', '--before', '0s']);
      expect(again.stdout, shown(again)).toBe('');
      expect(again.stderr).toContain('exported 0 runs');
    },
    SEQUENCE_MS,
  );
});
