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

/**
 * The runs ended before `before`, oldest first, a page at a time; with `workspace`, that
 * workspace's only (`default` holds the runs started without one) — the HTTP API's scope.
 */
async function* endedRunPages(store: Store, before: number, pageSize: number, workspace?: string): AsyncGenerator<RunSummary[]> {
  let page = await store.listEndedRuns(before, pageSize);
  while (page.length > 0) {
    yield workspace === undefined ? page : await inWorkspace(store, page, workspace);
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    page = await store.listEndedRuns(before, pageSize, { createdAt: last.createdAt, id: last.id });
  }
}

async function inWorkspace(store: Store, page: RunSummary[], workspace: string): Promise<RunSummary[]> {
  const states = await Promise.all(page.map((run) => store.loadRun(run.id)));
  return page.filter((_, i) => (states[i]?.meta.workspace ?? 'default') === workspace);
}

/** Hands each ended run, whole, to `write` (which may wait, e.g. for a stream to drain); returns how many. */
export async function exportEndedRuns(
  store: Store,
  before: number,
  write: (run: ExportedRun) => void | Promise<void>,
  workspace?: string,
): Promise<number> {
  let count = 0;
  for await (const page of endedRunPages(store, before, RETENTION_BATCH, workspace)) {
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
export async function countEndedRuns(store: Store, before: number, workspace?: string): Promise<number> {
  let count = 0;
  for await (const page of endedRunPages(store, before, RETENTION_BATCH, workspace)) count += page.length;
  return count;
}

export interface PruneOptions {
  /** Runs per transaction (default RETENTION_BATCH). */
  readonly batch?: number;
  /** That workspace's runs only. */
  readonly workspace?: string;
  /** Told the ids of each batch deleted (a process forgets what it kept of them). */
  readonly deleted?: (runIds: readonly string[]) => void;
}

/**
 * Deletes every run ended before `before`, one transaction per batch; returns how many. A run
 * that came back to life meanwhile (retried) is skipped, not deleted: the cursor moves past it.
 */
export async function pruneEndedRuns(store: Store, before: number, options: PruneOptions = {}): Promise<number> {
  let deleted = 0;
  for await (const page of endedRunPages(store, before, options.batch ?? RETENTION_BATCH, options.workspace)) {
    if (page.length === 0) continue;
    const ids = await store.deleteEndedRuns(
      page.map((run) => run.id),
      before,
    );
    options.deleted?.(ids);
    deleted += ids.length;
  }
  return deleted;
}
