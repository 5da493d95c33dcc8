/**
 * Mode `core`: the pure engine alone — `advance()` over the compiled bench flows, with no runtime,
 * store, action call or promise. Every `step.execute` effect is answered at once, synchronously,
 * with `step.completed` (a constant output), so a row shows what the core costs per step and, next
 * to the other modes' rows, how much of their cost is the shell's (runtime, store, awaits).
 *
 * Steps are counted as `step.execute` effects answered; each measurement checks that count and
 * that every run ended `completed`, like the runtime workloads do.
 */
import { createActionRegistry } from '../../src/actions/registry.js';
import { advance, createRunState, type EngineEvent, type RunMeta, type RunState } from '../../src/engine/index.js';
import { type CompiledFlow, loadFlow } from '../../src/flow/index.js';
import { isSelected, type Plan } from './plan.js';
import { collect, type ModeResult, message, monotonicMicros, type ProfileWindow, peakRss, type RowResult } from './run-mode.js';
import {
  fanOutFlow,
  type Measurement,
  noopAction,
  StepCounter,
  sequentialFlow,
  stepsPerRun,
  WORKLOADS,
  type WorkloadId,
} from './workloads.js';

/** What the no-op action returns: every step completes with it. */
const OUTPUT = null;

interface CoreFlows {
  readonly sequential: CompiledFlow;
  readonly fanOut: CompiledFlow;
}

/** The same flow definitions the runtime modes publish, parsed, validated and compiled the same way. */
function compileFlows(): CoreFlows {
  const actions = createActionRegistry([noopAction(new StepCounter())]);
  return { sequential: loadFlow(sequentialFlow(), { actions }), fanOut: loadFlow(fanOutFlow(), { actions }) };
}

/** One run and the seqs of the steps it asked for and has not been answered yet, oldest first. */
interface CoreRun {
  state: RunState;
  readonly flow: CompiledFlow;
  readonly steps: number[];
  /** Index in `steps` of the next step to answer. */
  next: number;
}

let runIds = 0;

function apply(run: CoreRun, event: EngineEvent): void {
  const t = advance(run.state, event, run.flow);
  run.state = t.state;
  for (const effect of t.effects) if (effect.type === 'step.execute') run.steps.push(effect.seq);
}

function startRun(flow: CompiledFlow, at: number): CoreRun {
  const meta: RunMeta = { id: `core-${++runIds}`, flowId: flow.id, flowVersion: flow.version, createdAt: at };
  const run: CoreRun = { state: createRunState(meta, flow), flow, steps: [], next: 0 };
  apply(run, { type: 'run.started', at, input: {} });
  return run;
}

const hasStep = (run: CoreRun) => run.next < run.steps.length;

/** Answers the oldest step the run is waiting for. */
function completeStep(run: CoreRun, at: number): void {
  apply(run, { type: 'step.completed', at, seq: run.steps[run.next++], output: OUTPUT });
}

function expectCompleted(run: CoreRun): void {
  const { status, meta } = run.state;
  if (status !== 'completed') throw new Error(`run ${meta.id} ended '${status}', expected 'completed'`);
}

/**
 * W1 and W2: runs one after another, each driven to its end (W2's 100 branches completed in the
 * order they were fanned out). W3: all runs started, then one step per run per pass, round-robin.
 */
export function runCoreWorkload(flows: CoreFlows, workload: WorkloadId, runs: number, rounds = 1): Measurement {
  const at = Date.now();
  let steps = 0;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) steps += coreRound(flows, workload, runs, at);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const expected = rounds * runs * stepsPerRun(workload);
  if (steps !== expected) throw new Error(`core ${workload}: ${steps} step.execute effects answered, expected ${expected}`);
  return { steps, seconds, cpuSeconds };
}

/** One round of a workload: its `runs` runs, driven to their ends; returns the steps answered. */
function coreRound(flows: CoreFlows, workload: WorkloadId, runs: number, at: number): number {
  let steps = 0;
  if (workload === 'W3') {
    const all: CoreRun[] = [];
    for (let i = 0; i < runs; i++) all.push(startRun(flows.sequential, at));
    for (let pending = true; pending; ) {
      pending = false;
      for (const run of all) {
        if (!hasStep(run)) continue;
        completeStep(run, at);
        steps++;
        pending = true;
      }
    }
    for (const run of all) expectCompleted(run);
  } else {
    const flow = workload === 'W1' ? flows.sequential : flows.fanOut;
    for (let i = 0; i < runs; i++) {
      const run = startRun(flow, at);
      while (hasStep(run)) {
        completeStep(run, at);
        steps++;
      }
      expectCompleted(run);
    }
  }
  return steps;
}

/** Measures mode `core`: a warm-up pass over the selected workloads, then `reps` measurements of each. */
export function runCore(plan: Plan, progress: (line: string) => void = () => {}): ModeResult {
  const mode = 'core';
  const rows: RowResult[] = [];
  const windows: ProfileWindow[] = [];
  try {
    const workloads = WORKLOADS.filter((w) => isSelected(plan, mode, w));
    if (workloads.length > 0) {
      const flows = compileFlows();
      progress(`${mode}: warm-up`);
      for (const workload of workloads) runCoreWorkload(flows, workload, plan.warmup[workload]);
      for (const workload of workloads) {
        const rates: number[] = [];
        const cpuMicros: number[] = [];
        let units = 0;
        const startUs = monotonicMicros();
        try {
          for (let rep = 0; rep < plan.reps; rep++) {
            progress(`${mode}: ${workload} rep ${rep + 1}/${plan.reps}`);
            collect();
            const { steps, seconds, cpuSeconds } = runCoreWorkload(flows, workload, plan.sizes[workload], plan.rounds[mode]);
            units = steps;
            rates.push(steps / seconds);
            cpuMicros.push((cpuSeconds * 1e6) / steps);
          }
          rows.push({ mode, item: workload, units, rates, cpuMicros });
        } catch (error) {
          rows.push({ mode, item: workload, units, rates, cpuMicros, error: message(error) });
        } finally {
          windows.push({ item: workload, startUs, endUs: monotonicMicros() });
        }
      }
    }
    return { mode, rows, windows, peakRssBytes: peakRss() };
  } catch (error) {
    return { mode, rows, windows, peakRssBytes: peakRss(), error: message(error) };
  }
}
