/**
 * The final states of runs that ended here lately, for the reads that come right after:
 * `runs.wait` on a run that ended a moment ago, `runs.get` of a result. Without it each such
 * read loaded the run from the store (on SQLite its row and its log after the last snapshot:
 * a tenth of a sequential step's time when every run is waited on).
 *
 * Only runs that ended for good — completed or cancelled — are kept: nothing changes them again,
 * in this process or another one sharing the store, so what is kept here is always the truth.
 * (A failed run can still be retried, a parked one signalled.) The oldest goes when the cache is
 * full. Nobody changes a state kept here: the runtime let go of the object, readers get
 * snapshots of it.
 */
import type { RunState } from '../engine/types.js';

export class RecentRuns {
  private readonly states = new Map<string, RunState>();

  constructor(private readonly capacity: number) {}

  /** Keeps `state` if its run ended for good. */
  remember(state: RunState): void {
    if (state.status !== 'completed' && state.status !== 'cancelled') return;
    const id = state.meta.id;
    this.states.delete(id);
    this.states.set(id, state);
    if (this.states.size > this.capacity) {
      const oldest = this.states.keys().next().value as string;
      this.states.delete(oldest);
    }
  }

  get(runId: string): RunState | undefined {
    return this.states.get(runId);
  }

  /** Drops runs deleted from the store (retention): they are no longer shown from memory. */
  forget(runIds: readonly string[]): void {
    for (const id of runIds) this.states.delete(id);
  }
}
