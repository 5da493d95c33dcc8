/**
 * The embedded store (F8.1): one SQLite file through better-sqlite3. Calls are synchronous under
 * the async `Store` interface: one connection, one writer, no thread hop per statement, which is
 * what makes one transaction per step affordable.
 */

import type { Durability, Leases, Store } from '../store.js';
import { prepareApiKeys } from './api-keys.js';
import { createCheckpointer } from './checkpointer.js';
import { prepareCommit } from './commit.js';
import { prepareDeleteEndedRuns } from './delete-ended-runs.js';
import { prepareDueTimers } from './due-timers.js';
import { prepareFindChildRun } from './find-child-run.js';
import { prepareGetDraft } from './get-draft.js';
import { prepareGetFlowVersion } from './get-flow-version.js';
import { prepareJourneys } from './journeys.js';
import { prepareLeases } from './leases.js';
import { prepareListActiveRunIds } from './list-active-run-ids.js';
import { prepareListEndedRuns } from './list-ended-runs.js';
import { prepareListFlows } from './list-flows.js';
import { prepareListRuns } from './list-runs.js';
import { prepareListSteps } from './list-steps.js';
import { prepareLoadRun } from './load-run.js';
import { migrate } from './migrate.js';
import { prepareNextTimerAt } from './next-timer-at.js';
import { isFileless, openDatabase, type SqliteDatabase } from './open-database.js';
import { prepareChats, preparePrompts } from './prompts.js';
import { preparePublishFlow } from './publish-flow.js';
import { prepareReadEvents } from './read-events.js';
import { prepareSaveDraft } from './save-draft.js';
import { prepareSwarms } from './swarms.js';
import { prepareWebhookCalls } from './webhook-calls.js';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a throw-away database. The directory is created. */
  readonly path: string;
  /** `strict`: fsync at every commit (survives power loss). `normal`: survives a process crash. */
  readonly durability: Durability;
  /**
   * Where WAL checkpoints run. `background`: in a worker thread, so commits never wait for them
   * (default with `normal`: measured +30–50% single-commit throughput). `inline`: SQLite runs
   * them inside the commit that crosses the threshold (default with `strict`, where every commit
   * fsyncs anyway and a concurrent checkpoint's fsyncs measured slower).
   */
  readonly checkpoints?: 'background' | 'inline';
  /** How long a process's lease on a run lasts without renewal, ms (default 5,000). */
  readonly leaseMs?: number;
}

/** Short: a process killed on this machine leaves its runs to others after this long. */
export const DEFAULT_SQLITE_LEASE_MS = 5_000;

/** The SQLite store, plus its connection for diagnostics and tests (pragmas, EXPLAIN). */
export interface SqliteStore extends Store {
  /** Writing through it bypasses the store's invariants: read only. */
  readonly db: SqliteDatabase;
}

/** Every operation, prepared once against the migrated schema. */
function prepareOperations(db: SqliteDatabase, leaseMs: number) {
  const readEvents = prepareReadEvents(db);
  return {
    leases: prepareLeases(db, leaseMs, (runId, afterSeq) => readEvents(runId, afterSeq)),
    saveDraft: prepareSaveDraft(db),
    getDraft: prepareGetDraft(db),
    publishFlow: preparePublishFlow(db),
    getFlowVersion: prepareGetFlowVersion(db),
    listFlows: prepareListFlows(db),
    commit: prepareCommit(db, leaseMs),
    loadRun: prepareLoadRun(db),
    listRuns: prepareListRuns(db),
    readEvents,
    listSteps: prepareListSteps(db),
    listActiveRunIds: prepareListActiveRunIds(db),
    findChildRun: prepareFindChildRun(db),
    listEndedRuns: prepareListEndedRuns(db),
    deleteEndedRuns: prepareDeleteEndedRuns(db),
    dueTimers: prepareDueTimers(db),
    nextTimerAt: prepareNextTimerAt(db),
    apiKeys: prepareApiKeys(db),
    swarms: prepareSwarms(db),
    prompts: preparePrompts(db),
    chats: prepareChats(db),
    journeys: prepareJourneys(db),
    webhookCalls: prepareWebhookCalls(db),
  };
}

/** An object whose methods call those of `target()`, made when first called. */
function forward<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get: (_, name) => {
      const member = target()[name as keyof T];
      return typeof member === 'function' ? member.bind(target()) : member;
    },
  });
}

/**
 * Opens (or creates) the database file. Migrations run on `init()`, or on first use if a caller
 * skips it.
 *
 * @example
 * const store = createSqliteStore({ path: './.runloom/runloom.db', durability: 'normal' });
 * await store.init();
 * await store.commit([{ state, created: true, events, steps: [], timersSet: [], timersCleared: [] }]);
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const db = openDatabase(options.path, options.durability);
  const checkpoints = options.checkpoints ?? (options.durability === 'normal' ? 'background' : 'inline');
  const checkpointer =
    checkpoints === 'background' && !isFileless(options.path)
      ? createCheckpointer(db, options.path, options.durability)
      : undefined;
  const leaseMs = options.leaseMs ?? DEFAULT_SQLITE_LEASE_MS;
  let ops: ReturnType<typeof prepareOperations> | undefined;
  const use = () => {
    if (!ops) {
      migrate(db);
      ops = prepareOperations(db, leaseMs);
    }
    return ops;
  };
  // Prepared with the other operations, on first use: the Leases object only forwards.
  const leases: Leases = {
    ttlMs: leaseMs,
    claim: (owner, limit, runIds, needing) => use().leases.claim(owner, limit, runIds, needing),
    countHeld: () => use().leases.countHeld(),
    nextFreeTimerAt: (runIds) => use().leases.nextFreeTimerAt(runIds),
    renew: (owner, runIds) => use().leases.renew(owner, runIds),
    release: (owner, runIds) => use().leases.release(owner, runIds),
    handBack: (owner, runIds) => use().leases.handBack(owner, runIds),
    readInbox: (runId) => use().leases.readInbox(runId),
    send: (runId, event, at) => use().leases.send(runId, event, at),
    discard: (ids) => use().leases.discard(ids),
    offerStep: (task) => use().leases.offerStep(task),
    withdrawStep: (runId, seq) => use().leases.withdrawStep(runId, seq),
    claimSteps: (owner, actions, limit) => use().leases.claimSteps(owner, actions, limit),
    finishStep: (owner, runId, seq, event, at) => use().leases.finishStep(owner, runId, seq, event, at),
  };

  return {
    db,
    capabilities: { supportsSkipLocked: false, persistent: true },
    leases,
    // Prepared on first use like every operation: each member forwards.
    apiKeys: forward(() => use().apiKeys),
    swarms: forward(() => use().swarms),
    prompts: forward(() => use().prompts),
    chats: forward(() => use().chats),
    // Prepared with the other operations, on first use (which migrates).
    get journeys() {
      return use().journeys;
    },
    webhookCalls: forward(() => use().webhookCalls),
    async init() {
      use();
    },
    async close() {
      // The worker's connection goes first so that this one, the last, folds the log back.
      await checkpointer?.stop();
      if (db.open) db.close();
    },
    async saveDraft(flowId, definition) {
      use().saveDraft(flowId, definition);
    },
    async getDraft(flowId) {
      return use().getDraft(flowId);
    },
    async publishFlow(flowId, definition) {
      return use().publishFlow(flowId, definition);
    },
    async getFlowVersion(flowId, version) {
      return use().getFlowVersion(flowId, version);
    },
    async listFlows() {
      return use().listFlows();
    },
    async commit(checkpoints) {
      use().commit(checkpoints);
      checkpointer?.committed(checkpoints.length);
    },
    async loadRun(runId) {
      return use().loadRun(runId);
    },
    async listRuns(filter) {
      return use().listRuns(filter);
    },
    async readEvents(runId, afterSeq, limit) {
      return use().readEvents(runId, afterSeq, limit);
    },
    async listSteps(runId) {
      return use().listSteps(runId);
    },
    async listActiveRunIds() {
      return use().listActiveRunIds();
    },
    async findChildRun(parentRunId, seq) {
      return use().findChildRun(parentRunId, seq);
    },
    async listEndedRuns(before, limit, cursor) {
      return use().listEndedRuns(before, limit, cursor);
    },
    async deleteEndedRuns(runIds, before) {
      return use().deleteEndedRuns(runIds, before);
    },
    async dueTimers(now, limit) {
      return use().dueTimers(now, limit);
    },
    async nextTimerAt() {
      return use().nextTimerAt();
    },
  };
}
