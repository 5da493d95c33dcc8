/**
 * The three engine workloads and the flows they run. Steps are counted where they happen — in
 * the action — and every measurement checks that the count and the runs' final statuses are
 * what the workload should have produced, so a fast number can never come from skipped work.
 */
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import type { Runloom } from '../../src/runloom.js';

export const WORKLOADS = ['W1', 'W2', 'W3'] as const;
export type WorkloadId = (typeof WORKLOADS)[number];

export const SEQ_STEPS = 10;
export const FAN_OUT = 100;

export const SEQ_FLOW_ID = 'bench-seq10';
export const FAN_FLOW_ID = 'bench-fan100';

/** How many runs each workload starts per measurement. */
export interface WorkloadSizes {
  readonly W1: number;
  readonly W2: number;
  readonly W3: number;
}

export const WORKLOAD_LABELS: Record<WorkloadId, string> = {
  W1: `W1 ${SEQ_STEPS}-step sequential, runs one after another`,
  W2: `W2 ${FAN_OUT}-branch fan-out/AND-join`,
  W3: `W3 ${SEQ_STEPS}-step sequential, all runs concurrent`,
};

export const stepsPerRun = (workload: WorkloadId): number => (workload === 'W2' ? FAN_OUT : SEQ_STEPS);

/** Counts task executions: the only definition of "a step" the benchmark trusts. */
export class StepCounter {
  count = 0;
}

/**
 * A synchronous no-op: the cheapest action the registry can run, so the engine is what is
 * measured. `asynchronous`: the same no-op returning a promise (each step then waits a promise
 * turn, and concurrent runs interleave step by step).
 */
export function noopAction(counter: StepCounter, asynchronous = false) {
  const run = () => {
    counter.count++;
    return null;
  };
  return defineAction({ name: 'bench.noop', input: z.any(), run: asynchronous ? async () => run() : run });
}

const task = (id: string) => ({ id, type: 'task', action: 'bench.noop', input: {} });

/** start → t1 → … → t10 → end */
export function sequentialFlow(): Record<string, unknown> {
  const tasks = Array.from({ length: SEQ_STEPS }, (_, i) => task(`t${i + 1}`));
  const ids = ['start', ...tasks.map((t) => t.id), 'end'];
  return {
    format: 'runloom/v1',
    id: SEQ_FLOW_ID,
    name: `${SEQ_STEPS} sequential no-op steps`,
    nodes: [{ id: 'start', type: 'start' }, ...tasks, { id: 'end', type: 'end' }],
    edges: ids.slice(1).map((to, i) => ({ from: ids[i], to })),
  };
}

/**
 * start → fork (parallel) → b1…b100 → join (parallel, AND) → end. maxParallel is raised to the
 * fan-out so all branches are in flight at once (the default of 10 would measure throttling).
 */
export function fanOutFlow(): Record<string, unknown> {
  const tasks = Array.from({ length: FAN_OUT }, (_, i) => task(`b${i + 1}`));
  return {
    format: 'runloom/v1',
    id: FAN_FLOW_ID,
    name: `${FAN_OUT}-branch fan-out / fan-in`,
    defaults: { limits: { maxParallel: FAN_OUT, maxSteps: FAN_OUT * 4 } },
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'fork', type: 'parallel' },
      ...tasks,
      { id: 'join', type: 'parallel' },
      { id: 'end', type: 'end' },
    ],
    edges: [
      { from: 'start', to: 'fork' },
      ...tasks.flatMap((t) => [
        { from: 'fork', to: t.id },
        { from: t.id, to: 'join' },
      ]),
      { from: 'join', to: 'end' },
    ],
  };
}

export interface Measurement {
  readonly steps: number;
  /** Wall time. */
  readonly seconds: number;
  /** CPU time of this process (user + system, all threads) over the same interval. */
  readonly cpuSeconds: number;
}

function expectCompleted(status: string, runId: string): void {
  if (status !== 'completed') throw new Error(`run ${runId} ended '${status}', expected 'completed'`);
}

/**
 * Runs one workload (`runs` runs) `rounds` times back to back; returns the steps the action
 * counted and the wall time.
 */
export async function runWorkload(
  runloom: Runloom,
  counter: StepCounter,
  workload: WorkloadId,
  runs: number,
  rounds = 1,
): Promise<Measurement> {
  const before = counter.count;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    if (workload === 'W3') {
      // All started (their first checkpoints group-commit together), then all awaited.
      const started = await Promise.all(Array.from({ length: runs }, () => runloom.runs.start(SEQ_FLOW_ID, {})));
      const done = await Promise.all(started.map((run) => runloom.runs.wait(run.id)));
      for (const run of done) expectCompleted(run.status, run.id);
    } else {
      const flowId = workload === 'W1' ? SEQ_FLOW_ID : FAN_FLOW_ID;
      for (let i = 0; i < runs; i++) {
        const run = await runloom.runs.start(flowId, {});
        const done = await runloom.runs.wait(run.id);
        expectCompleted(done.status, done.id);
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const steps = counter.count - before;
  const expected = rounds * runs * stepsPerRun(workload);
  if (steps !== expected) throw new Error(`${workload}: the action ran ${steps} times, expected ${expected}`);
  return { steps, seconds, cpuSeconds };
}
