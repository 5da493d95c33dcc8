/**
 * Measures one runtime mode (in memory, SQLite normal, SQLite strict; `core` is run-core.ts): the raw floor (SQLite modes),
 * a warm-up pass over the selected workloads, `reps` measurements of each, then the raw floor
 * again (both floor passes are pooled into its row).
 * Each mode gets fresh files in its own temp directory, removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import { createMemoryStore, openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { type Item, isSelected, type Mode, type Plan, type RuntimeMode, type SqliteMode } from './plan.js';
import { fanOutFlow, noopAction, runWorkload, StepCounter, sequentialFlow, WORKLOADS } from './workloads.js';

/** One table row's raw data: a rate per repetition (steps/s, or rows/s for the floor). */
export interface RowResult {
  readonly mode: Mode;
  readonly item: Item;
  /** Steps (or rows) per repetition. */
  readonly units: number;
  readonly rates: readonly number[];
  /** CPU µs per step (or per row) for each repetition: robust to other load on the machine. */
  readonly cpuMicros: readonly number[];
  /** Store commits (transactions) and checkpoints per repetition, on average. */
  readonly commits?: number;
  readonly checkpoints?: number;
  readonly error?: string;
}

/** When a workload's measured reps ran, on the clock of V8 CPU profiles (µs, monotonic). */
export interface ProfileWindow {
  readonly item: Item;
  readonly startUs: number;
  readonly endUs: number;
}

export interface ModeResult {
  readonly mode: Mode;
  readonly rows: readonly RowResult[];
  /** Set with --profile: the intervals to keep from this process's CPU profile. */
  readonly windows?: readonly ProfileWindow[];
  /** Peak resident set size of the process that measured this mode. */
  readonly peakRssBytes: number;
  /** Caveats to print under the table (a workaround the benchmark had to take). */
  readonly notes?: readonly string[];
  readonly error?: string;
}

export const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A full GC between repetitions, when the process was started with --expose-gc. */
export const collect = () => (globalThis as { gc?: () => void }).gc?.();

type RawFloor = (path: string, durability: 'normal' | 'strict', rows: number) => Promise<{ rowsPerSecond: number }>;

/** Imported lazily: the SQLite store may be mid-change in a working tree; the rest still runs. */
async function loadRawFloor(): Promise<RawFloor> {
  const module = await import('../../src/store/sqlite/raw-floor.js');
  return module.sqliteRawFloor;
}

/**
 * `reps` raw-floor measurements on fresh files. Called before and again after the workloads:
 * fsync latency on shared or virtual disks drifts by several times within minutes, and pooling
 * both sides keeps the ratio from resting on one moment.
 */
async function measureFloor(plan: Plan, mode: SqliteMode, dir: string, warm: boolean): Promise<RowResult> {
  const rows = plan.floorRows[mode];
  try {
    const floor = await loadRawFloor();
    if (warm) await floor(join(dir, 'floor-warmup.db'), mode, Math.max(50, Math.floor(rows / 10)));
    const rates: number[] = [];
    const cpuMicros: number[] = [];
    for (let rep = 0; rep < plan.reps; rep++) {
      collect();
      const cpu = process.cpuUsage();
      rates.push((await floor(join(dir, 'floor.db'), mode, rows)).rowsPerSecond);
      const used = process.cpuUsage(cpu);
      cpuMicros.push((used.user + used.system) / rows);
    }
    return { mode, item: 'floor', units: rows, rates, cpuMicros };
  } catch (error) {
    return { mode, item: 'floor', units: rows, rates: [], cpuMicros: [], error: message(error) };
  }
}

/**
 * Flow definitions from a memory store, everything run-related (commit, runs, events, steps,
 * timers) from SQLite. Only used when publishing to SQLite fails: flows are read once per run
 * start at most (the compiled flow is cached), so the steps measured are unaffected.
 */
function flowsInMemory(sqlite: Store): Store {
  const flows = createMemoryStore();
  return {
    capabilities: sqlite.capabilities,
    apiKeys: sqlite.apiKeys,
    swarms: sqlite.swarms,
    prompts: sqlite.prompts,
    chats: sqlite.chats,
    journeys: sqlite.journeys,
    webhookCalls: sqlite.webhookCalls,
    init: async () => {
      await flows.init();
      await sqlite.init();
    },
    close: async () => {
      await flows.close();
      await sqlite.close();
    },
    saveDraft: (id, definition) => flows.saveDraft(id, definition),
    getDraft: (id) => flows.getDraft(id),
    publishFlow: (id, definition) => flows.publishFlow(id, definition),
    getFlowVersion: (id, version) => flows.getFlowVersion(id, version),
    listFlows: () => flows.listFlows(),
    commit: (checkpoints) => sqlite.commit(checkpoints),
    loadRun: (id) => sqlite.loadRun(id),
    listRuns: (filter) => sqlite.listRuns(filter),
    readEvents: (id, after, limit) => sqlite.readEvents(id, after, limit),
    listSteps: (id) => sqlite.listSteps(id),
    listActiveRunIds: () => sqlite.listActiveRunIds(),
    findChildRun: (id, seq) => sqlite.findChildRun(id, seq),
    listEndedRuns: (before, limit, cursor) => sqlite.listEndedRuns(before, limit, cursor),
    deleteEndedRuns: (ids, before) => sqlite.deleteEndedRuns(ids, before),
    dueTimers: (now, limit) => sqlite.dueTimers(now, limit),
    nextTimerAt: () => sqlite.nextTimerAt(),
  };
}

/** Counts `commit()` calls and the checkpoints they carry: how well group commit batches. */
export class CommitStats {
  commits = 0;
  checkpoints = 0;
}

function counted(store: Store, stats: CommitStats): Store {
  const commitNow = store.commitNow?.bind(store);
  return {
    ...store,
    commit(checkpoints) {
      stats.commits++;
      stats.checkpoints += checkpoints.length;
      return store.commit(checkpoints);
    },
    ...(commitNow
      ? {
          commitNow(checkpoints) {
            stats.commits++;
            stats.checkpoints += checkpoints.length;
            commitNow(checkpoints);
          },
        }
      : {}),
  };
}

async function open(
  mode: RuntimeMode,
  path: string,
  counter: StepCounter,
  stats: CommitStats,
  notes: string[],
  asyncAction: boolean,
): Promise<Runloom> {
  const durability = mode === 'strict' ? 'strict' : 'normal';
  // The store is opened here exactly as createRunloom would open this URL, so that it can be wrapped.
  const create = (store: Store) =>
    createRunloom({ store: counted(store, stats), actions: [noopAction(counter, asyncAction)], recover: false });
  const publish = async (runloom: Runloom) => {
    await runloom.flows.publish(sequentialFlow());
    await runloom.flows.publish(fanOutFlow());
  };
  if (mode === 'memory') {
    const runloom = await create(openStore('memory:'));
    await publish(runloom);
    return runloom;
  }
  const runloom = await create(openStore(path, { durability }));
  try {
    await publish(runloom);
    return runloom;
  } catch (error) {
    await runloom.close().catch(() => {});
    rmSync(path, { force: true });
    notes.push(
      `${mode}: publishing to SQLite failed (${message(error)}); flow definitions were kept in memory, runs/events/steps still committed to SQLite.`,
    );
    const fallback = await create(flowsInMemory(openStore(path, { durability })));
    await publish(fallback);
    return fallback;
  }
}

export async function runMode(plan: Plan, mode: RuntimeMode, progress: (line: string) => void = () => {}): Promise<ModeResult> {
  const dir = mkdtempSync(join(tmpdir(), `runloom-bench-${mode}-`));
  const rows: RowResult[] = [];
  const windows: ProfileWindow[] = [];
  const notes: string[] = [];
  let runloom: Runloom | undefined;
  try {
    const floorMode = mode !== 'memory' && isSelected(plan, mode, 'floor') ? mode : undefined;
    if (floorMode) {
      progress(`${mode}: raw floor (before)`);
      rows.push(await measureFloor(plan, floorMode, dir, true));
    }
    const workloads = WORKLOADS.filter((w) => isSelected(plan, mode, w));
    if (workloads.length > 0) {
      const counter = new StepCounter();
      const stats = new CommitStats();
      for (const workload of workloads) {
        // A fresh store per workload: one workload's runs (a memory store keeps every event and
        // step; a file grows its indexes) must not weigh on the next one's measurement.
        await runloom?.close();
        collect();
        runloom = await open(mode, join(dir, `runloom-${workload}.db`), counter, stats, notes, plan.asyncAction);
        progress(`${mode}: ${workload} warm-up`);
        await runWorkload(runloom, counter, workload, plan.warmup[workload]);
        const rates: number[] = [];
        const cpuMicros: number[] = [];
        let units = 0;
        let commits = 0;
        let checkpoints = 0;
        const startUs = monotonicMicros();
        try {
          for (let rep = 0; rep < plan.reps; rep++) {
            progress(`${mode}: ${workload} rep ${rep + 1}/${plan.reps}`);
            collect();
            const before = { commits: stats.commits, checkpoints: stats.checkpoints };
            const { steps, seconds, cpuSeconds } = await runWorkload(
              runloom,
              counter,
              workload,
              plan.sizes[workload],
              plan.rounds[mode],
            );
            units = steps;
            rates.push(steps / seconds);
            cpuMicros.push((cpuSeconds * 1e6) / steps);
            commits += stats.commits - before.commits;
            checkpoints += stats.checkpoints - before.checkpoints;
          }
          rows.push({
            mode,
            item: workload,
            units,
            rates,
            cpuMicros,
            commits: commits / plan.reps,
            checkpoints: checkpoints / plan.reps,
          });
        } catch (error) {
          rows.push({ mode, item: workload, units, rates, cpuMicros, error: message(error) });
        } finally {
          windows.push({ item: workload, startUs, endUs: monotonicMicros() });
        }
      }
      if (floorMode) {
        progress(`${mode}: raw floor (after)`);
        const after = await measureFloor(plan, floorMode, dir, false);
        const before = rows[0];
        rows[0] = {
          ...before,
          rates: [...before.rates, ...after.rates],
          cpuMicros: [...before.cpuMicros, ...after.cpuMicros],
          ...(before.error || after.error ? { error: before.error ?? after.error } : {}),
        };
      }
    }
    return { mode, rows, windows, notes, peakRssBytes: peakRss() };
  } catch (error) {
    return { mode, rows, windows, notes, peakRssBytes: peakRss(), error: message(error) };
  } finally {
    await runloom?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** process.hrtime and V8's profiler read the same monotonic clock. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}
