/**
 * Step and commit metrics without touching the engine or the runtime: a Store that wraps the
 * real one (cross-cutting behaviour wraps the same interface) and watches what `commit()` writes
 * — the finished step rows (status, duration) and how long each commit took. It sees the runs
 * this process executes: on a relay that is none (the workers commit them).
 */
import type { Store } from '../store/store.js';

export interface StepCounters {
  readonly started: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
}

export interface Observed {
  readonly store: Store;
  readonly steps: StepCounters;
  /** Histogram buckets (upper bounds, ms) with counts, plus count and sum, for step durations and commits. */
  readonly stepMs: Histogram;
  readonly commitMs: Histogram;
}

export interface Histogram {
  readonly bounds: readonly number[];
  readonly counts: number[];
  count: number;
  sum: number;
}

const histogram = (bounds: number[]): Histogram => ({ bounds, counts: bounds.map(() => 0), count: 0, sum: 0 });
function observe(h: Histogram, ms: number): void {
  h.count += 1;
  h.sum += ms;
  for (let i = 0; i < h.bounds.length; i++) if (ms <= h.bounds[i]) h.counts[i] += 1;
}

export function observeStore(inner: Store): Observed {
  const steps = { started: 0, completed: 0, failed: 0, cancelled: 0 };
  const stepMs = histogram([1, 5, 10, 50, 100, 500, 1000, 5000, 30000]);
  const commitMs = histogram([0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 500]);
  const watch = (checkpoints: Parameters<Store['commit']>[0]) => {
    for (const cp of checkpoints) {
      for (const event of cp.events) if (event.type === 'step.started') steps.started += 1;
      for (const row of cp.steps) {
        steps[row.status] += 1;
        observe(stepMs, row.endedAt - row.startedAt);
      }
    }
  };
  // A prototype chain, not a copy: every member the store has (leases, apiKeys, its own extras)
  // is the store's; only the commits are watched.
  const store: Store = Object.create(inner);
  store.commit = async (checkpoints) => {
    // Counted before the await: a checkpoint's state and events may change once the store yields.
    watch(checkpoints);
    const started = performance.now();
    await inner.commit(checkpoints);
    observe(commitMs, performance.now() - started);
  };
  if (inner.commitNow) {
    const commitNow = inner.commitNow.bind(inner);
    store.commitNow = (checkpoints) => {
      watch(checkpoints);
      const started = performance.now();
      commitNow(checkpoints);
      observe(commitMs, performance.now() - started);
    };
  }
  return { store, steps, stepMs, commitMs };
}
