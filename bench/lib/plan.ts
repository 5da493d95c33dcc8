/**
 * What a benchmark invocation measures: modes, workloads, sizes and repetitions, from argv.
 *
 *   --quick            small counts (smoke run, < 30 s)
 *   --only A,B         ids to keep: `memory-W1`, `core`, `strict`, `W3`, `normal-floor`, `floor`…
 *                      (every dash-separated part of a pattern must name a part of the id)
 *   --reps N           measurements per row (default 3; the median is reported)
 *   --inline           measure every mode in this process (default: one child process per mode,
 *                      for a clean heap and a per-mode peak RSS); implied by --cpu-prof and by
 *                      --quick (each child pays ~1 s of start-up), unless --isolate is given
 *   --profile DIR      run each mode's child under `--cpu-prof` (100 µs sampling, profiles in
 *                      DIR/<mode>/) and print the top self-time functions of each row's measured
 *                      reps (warm-up and start-up cut out); rates then include profiler overhead
 *   --async-action     the no-op action returns a promise: every step waits for a promise turn,
 *                      so concurrent runs (W3) interleave step by step also in memory
 *   --write / --no-write   write bench/LAST_RUN.md (default: only for a full, unfiltered run)
 */
import { WORKLOADS, type WorkloadId, type WorkloadSizes } from './workloads.js';

/** A bad command line: printed as one line, without a stack. */
export class UsageError extends Error {}

/** `core` is the bare engine (advance() only, bench/lib/run-core.ts); the others run the full runtime. */
export const MODES = ['core', 'memory', 'normal', 'strict'] as const;
export type Mode = (typeof MODES)[number];
/** Modes measured through the runtime, with a store (bench/lib/run-mode.ts). */
export type RuntimeMode = Exclude<Mode, 'core'>;
/** Modes on SQLite: the ones with a raw commit floor. */
export type SqliteMode = Exclude<Mode, 'core' | 'memory'>;
export type Item = WorkloadId | 'floor';

export const MODE_LABELS: Record<Mode, string> = {
  core: 'engine core (advance only)',
  memory: 'in memory',
  normal: 'SQLite normal',
  strict: 'SQLite strict',
};

export interface Plan {
  readonly quick: boolean;
  readonly reps: number;
  readonly inline: boolean;
  readonly write: boolean;
  readonly only: readonly string[];
  /** --async-action: the no-op action is asynchronous (the default one finishes synchronously). */
  readonly asyncAction: boolean;
  /** Where to write CPU profiles of the measured reps (undefined: no profiling). */
  readonly profileDir?: string;
  readonly sizes: WorkloadSizes;
  /** Runs per workload in the warm-up pass (once per mode, before measuring). */
  readonly warmup: WorkloadSizes;
  /**
   * Times each measurement runs its workload back to back (W3: rounds of its concurrent runs,
   * one after another). The fast modes repeat it, so that a measurement lasts long enough (a
   * tenth of a second or more) for one collector pause not to decide it.
   */
  readonly rounds: Readonly<Record<Mode, number>>;
  /** Single-row transactions per raw-floor measurement. */
  readonly floorRows: Readonly<Record<SqliteMode, number>>;
}

type Sizing = Pick<Plan, 'sizes' | 'warmup' | 'rounds' | 'floorRows'>;

const FULL: Sizing = {
  // W2: 10,000 steps a round, as the others (its 20 runs of earlier versions lasted 20 ms in memory).
  sizes: { W1: 1_000, W2: 100, W3: 1_000 },
  // One measurement's worth: code the JIT has not optimised yet would be measured as the engine.
  warmup: { W1: 1_000, W2: 100, W3: 1_000 },
  rounds: { core: 5, memory: 5, normal: 1, strict: 1 },
  floorRows: { normal: 20_000, strict: 2_000 },
};

const QUICK: Sizing = {
  sizes: { W1: 30, W2: 2, W3: 100 },
  warmup: { W1: 10, W2: 1, W3: 20 },
  rounds: { core: 1, memory: 1, normal: 1, strict: 1 },
  floorRows: { normal: 1_000, strict: 60 },
};

export function parsePlan(argv: readonly string[], execArgv: readonly string[] = []): Plan {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
    const inlined = argv.find((a) => a.startsWith(`${flag}=`));
    return inlined?.slice(flag.length + 1);
  };
  const quick = argv.includes('--quick');
  const only = (value('--only') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const reps = Number(value('--reps') ?? 3);
  if (!Number.isInteger(reps) || reps < 1) throw new UsageError(`--reps expects a positive integer, got ${value('--reps')}`);
  const profiling = execArgv.some((a) => a.startsWith('--cpu-prof') || a.startsWith('--prof') || a.startsWith('--inspect'));
  const profileDir = value('--profile');
  const asyncAction = argv.includes('--async-action');
  const full = !quick && only.length === 0 && profileDir === undefined && !asyncAction;
  const write = argv.includes('--no-write') ? false : argv.includes('--write') || full;
  for (const pattern of only) {
    if (!MODES.some((mode) => [...WORKLOADS, 'floor' as const].some((item) => matches(pattern, mode, item)))) {
      throw new UsageError(`--only '${pattern}' matches nothing (ids look like core-W1, memory-W1, normal-floor, strict-W3)`);
    }
  }
  return {
    quick,
    reps,
    // --profile needs one child per mode (each is started under --cpu-prof).
    inline: profileDir === undefined && !argv.includes('--isolate') && (argv.includes('--inline') || profiling || quick),
    write,
    only,
    asyncAction,
    ...(profileDir === undefined ? {} : { profileDir }),
    ...(quick ? QUICK : FULL),
  };
}

function matches(pattern: string, mode: Mode, item: Item): boolean {
  const parts = new Set([mode.toLowerCase(), item.toLowerCase()]);
  return pattern
    .toLowerCase()
    .split('-')
    .every((part) => parts.has(part));
}

/** Is `mode-item` part of this run? (The floor exists only on SQLite.) */
export function isSelected(plan: Plan, mode: Mode, item: Item): boolean {
  if ((mode === 'core' || mode === 'memory') && item === 'floor') return false;
  return plan.only.length === 0 || plan.only.some((pattern) => matches(pattern, mode, item));
}

export function modesOf(plan: Plan): Mode[] {
  return MODES.filter((mode) => [...WORKLOADS, 'floor' as const].some((item) => isSelected(plan, mode, item)));
}
