/**
 * Retention (F8.4) over any `Store`: export the runs that ended before a cut-off, then prune
 * them. Nothing calls this on its own: by default every run is kept until someone asks.
 */
import type { RunEvent, RunState } from '../engine/types.js';
import type { RunSummary, StepRecordRow, Store } from './store.js';

/** One exported run: a line of `runloom runs export`. */
export interface ExportedRun {
  readonly run: RunSummary;
  /** The run's last state (its output, usage, decisions…), as loaded. */
  readonly state: RunState | undefined;
  readonly events: readonly RunEvent[];
  readonly steps: readonly StepRecordRow[];
}

/** Runs listed (export) or deleted (prune) per round trip; each prune batch is one transaction. */
export const RETENTION_BATCH = 500;

/** The runs ended before `before`, oldest first, a page at a time. */
async function* endedRunPages(store: Store, before: number, pageSize: number): AsyncGenerator<RunSummary[]> {
  let page = await store.listEndedRuns(before, pageSize);
  while (page.length > 0) {
    yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    page = await store.listEndedRuns(before, pageSize, { createdAt: last.createdAt, id: last.id });
  }
}

/** Hands each ended run, whole, to `write` (which may wait, e.g. for a stream to drain); returns how many. */
export async function exportEndedRuns(
  store: Store,
  before: number,
  write: (run: ExportedRun) => void | Promise<void>,
): Promise<number> {
  let count = 0;
  for await (const page of endedRunPages(store, before, RETENTION_BATCH)) {
    for (const run of page) {
      const [state, events, steps] = await Promise.all([
        store.loadRun(run.id),
        store.readEvents(run.id),
        store.listSteps(run.id),
      ]);
      await write({ run, state, events, steps });
      count++;
    }
  }
  return count;
}

/** How many runs `pruneEndedRuns` would delete now (a dry run). */
export async function countEndedRuns(store: Store, before: number): Promise<number> {
  let count = 0;
  for await (const page of endedRunPages(store, before, RETENTION_BATCH)) count += page.length;
  return count;
}

/**
 * Deletes every run ended before `before`, one transaction per batch; returns how many. A run
 * that came back to life meanwhile (retried) is skipped, not deleted: the cursor moves past it.
 */
export async function pruneEndedRuns(store: Store, before: number, batch = RETENTION_BATCH): Promise<number> {
  let deleted = 0;
  for await (const page of endedRunPages(store, before, batch)) {
    deleted += (
      await store.deleteEndedRuns(
        page.map((run) => run.id),
        before,
      )
    ).length;
  }
  return deleted;
}
