/**
 * The five workloads every engine runs, their sizes, and the step counter. A step is a task
 * execution counted inside the (no-op) task itself, the same way for every engine, and every
 * measurement checks the count, so a fast number can never come from skipped work.
 */

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5'];

export const SEQ_STEPS = 10;
export const FAN_OUT = 100;
/** Tasks in one W4 run: A, B1, B3, C in the main process; S1, S2a, S2b in the sub-process. */
export const W4_STEPS = 7;

export const LABELS = {
  W1: `W1 ${SEQ_STEPS} sequential no-op steps, runs one after another`,
  W2: `W2 fan-out to ${FAN_OUT} parallel no-op steps + join`,
  W3: `W3 ${SEQ_STEPS}-step runs, all in flight at once`,
  W4: 'W4 BPMN: parallel gateways + sub-process (7 tasks)',
  W5: 'W5 runs parked at a wait node: memory per parked run',
};

/** Runs per measurement. */
export const SIZES = {
  full: { W1: 1_000, W2: 100, W3: 1_000, W4: 500, W5: 10_000 },
  quick: { W1: 30, W2: 3, W3: 100, W4: 20, W5: 300 },
};

/** Warm-up passes of each workload last at least this long (ms), for every engine alike. */
export const WARMUP_MS = { full: 1_500, quick: 100 };

/** Runs of a warm-up pass (W5 has none). */
export const WARMUP = {
  full: { W1: 50, W2: 5, W3: 100, W4: 25 },
  quick: { W1: 5, W2: 1, W3: 10, W4: 3 },
};

export const stepsPerRun = (workload) => ({ W1: SEQ_STEPS, W2: FAN_OUT, W3: SEQ_STEPS, W4: W4_STEPS, W5: 0 })[workload];

/** Counts task executions: incremented by every engine's no-op task, read by the harness. */
export const counter = { steps: 0 };
