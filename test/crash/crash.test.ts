/**
 * F2.5 with real processes: a worker runs 20 runs of a 200-step flow on a SQLite file in strict
 * mode and is killed with SIGKILL at random moments, 20+ times, then allowed to finish. Nothing
 * may be lost (every step's output once in vars, one completed step row per node) and nothing may
 * run more often than the kills allow (at-least-once, never "at-least-many").
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { FLOW_ID, nodeId, parseLog, RUNS, STEPS } from './count-flow.js';
import { Child, seededRandom, sleep } from './harness.js';

const KILLS = 20;
/** Each step lingers this long after logging, so the whole workload outlasts the kill schedule. */
const LINGER_MS = 50;
/** Workers kept loaded ahead (see `standby`). */
const WARM = 2;

const dir = mkdtempSync(join(tmpdir(), 'runloom-crash-'));
const dbPath = join(dir, 'runloom.db');
const logPath = join(dir, 'executions.log');
const children: Child[] = [];
afterAll(async () => {
  for (const child of children) await child.kill();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The next worker, started ahead of time: it loads its modules and waits for `go` before it opens
 * the database. Warming it while the current one runs keeps 20+ restarts within the time budget.
 */
async function standby(): Promise<Child> {
  const child = new Child('worker.ts', [dbPath, logPath, String(LINGER_MS), '--standby']);
  children.push(child);
  await child.line('standby', 60_000);
  return child;
}

it(`survives ${KILLS} kill -9s with no step lost and none run more than the kills allow`, { timeout: 150_000 }, async () => {
  const seed = Number(process.env.RUNLOOM_CRASH_SEED ?? Date.now() % 1_000_000);
  const random = seededRandom(seed);
  const began = Date.now();
  let kills = 0;
  let finishedEarly = false;
  const delays: number[] = [];
  const recoveries: number[] = [];

  const warm = Array.from({ length: WARM }, standby);
  while (kills < KILLS) {
    const child = await (warm.shift() as Promise<Child>);
    const go = Date.now();
    child.send('go'); // the previous worker is dead: this one opens the file and recovers
    await child.line('ready');
    recoveries.push(Date.now() - go);
    warm.push(standby());
    const delay = 50 + Math.floor(random() * 351);
    delays.push(delay);
    await Promise.race([sleep(delay), child.exited]);
    if (child.hasExited) {
      const exit = await child.exited;
      if (exit.code !== 0) throw new Error(`worker failed (${exit.code ?? exit.signal})\n${child.describe()}`);
      finishedEarly = true;
      break;
    }
    await child.kill();
    kills++;
  }
  const killedFor = Date.now() - began;
  // How far the work had got when the killing stopped: the margin that keeps 20 kills mid-run.
  const executedByLastKill = parseLog(readFileSync(logPath, 'utf8')).length;

  const last = await (warm.shift() as Promise<Child>);
  for (const spare of await Promise.all(warm)) await spare.kill();
  last.send('go');
  const exit = await last.exited;
  if (exit.code !== 0) throw new Error(`final worker failed (${exit.code ?? exit.signal})\n${last.describe()}`);
  expect(last.lines.some((line) => line === 'done')).toBe(true);
  const total = Date.now() - began;

  // ---- the store: every run completed, every step's output once, one completed row per node
  const store = openStore(dbPath, { durability: 'strict' });
  await store.init();
  try {
    const runs = await store.listRuns({ flowId: FLOW_ID });
    expect(runs).toHaveLength(RUNS);
    const expectedVars = Object.fromEntries(Array.from({ length: STEPS }, (_, i) => [nodeId(i), { n: i }]));
    for (const summary of runs) {
      const state = await store.loadRun(summary.id);
      expect(state?.status).toBe('completed');
      expect(state?.vars).toEqual(expectedVars);
      expect(Object.keys(state?.pending ?? {})).toEqual([]);

      const rows = await store.listSteps(summary.id);
      expect(rows.every((row) => row.status === 'completed')).toBe(true);
      expect(rows.map((row) => row.nodeId).sort()).toEqual(Object.keys(expectedVars).sort());
      for (const row of rows) expect(row.output).toEqual({ n: Number(row.nodeId.slice(1)) });

      // The log records each step's result once, however often the step ran.
      const events = await store.readEvents(summary.id);
      const completed = events.filter((e) => e.type === 'step.completed').map((e) => e.nodeId);
      expect(completed).toEqual(Array.from({ length: STEPS }, (_, i) => nodeId(i)));
      expect(events.filter((e) => e.type === 'run.completed')).toHaveLength(1);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    }

    // ---- the executions log: at-least-once, and duplicates only where a kill interrupted a step
    const executions = parseLog(readFileSync(logPath, 'utf8'));
    const runIds = new Set(runs.map((run) => run.id));
    const perStep = new Map<string, { count: number; keys: Set<string>; attempts: Set<number> }>();
    for (const execution of executions) {
      expect(runIds.has(execution.runId)).toBe(true);
      const key = `${execution.runId} ${execution.nodeId}`;
      const entry = perStep.get(key) ?? { count: 0, keys: new Set(), attempts: new Set() };
      entry.count++;
      entry.keys.add(execution.idempotencyKey);
      entry.attempts.add(execution.attempt);
      perStep.set(key, entry);
    }
    expect(perStep.size).toBe(RUNS * STEPS);
    let duplicates = 0;
    let worst = 0;
    for (const [key, entry] of perStep) {
      const [runId, node] = key.split(' ');
      // A re-execution after a crash is the same attempt with the same idempotency key.
      expect(entry.keys).toEqual(new Set([`${runId}:${node}:1:0`]));
      expect(entry.attempts).toEqual(new Set([1]));
      expect(entry.count).toBeLessThanOrEqual(1 + kills);
      duplicates += entry.count - 1;
      worst = Math.max(worst, entry.count);
    }
    // A sequential run has at most one step in flight: at most one duplicate per run per kill.
    expect(duplicates).toBeLessThanOrEqual(kills * RUNS);

    console.log(
      `[crash] seed ${seed}: ${kills} kills (delays ${delays.join(',')} ms) in ${(killedFor / 1000).toFixed(1)} s, ` +
        `${executedByLastKill} executions by then; ` +
        `recovery (go → ready) median ${median(recoveries)} ms; ${executions.length} executions of ${RUNS * STEPS} steps, ${duplicates} duplicates (bound ${kills * RUNS}), ` +
        `most runs of one step ${worst}; total ${(total / 1000).toFixed(1)} s`,
    );
  } finally {
    await store.close();
  }
  expect(finishedEarly).toBe(false);
  expect(kills).toBeGreaterThanOrEqual(KILLS);
});

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
