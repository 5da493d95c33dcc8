/**
 * The PostgreSQL store (F8.2): many workers on one database through a `pg.Pool`. Each
 * operation is one file and, on the hot path, one statement (one round trip): `commit()` writes
 * a whole batch atomically without a BEGIN/COMMIT pair.
 */

import type { Store } from '../store.js';
import { prepareApiKeys } from './api-keys.js';
import { foldBatch, prepareCommit } from './commit.js';
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
import { openPool, type PostgresPool } from './open-pool.js';
import { prepareChats, preparePrompts } from './prompts.js';
import { preparePublishFlow } from './publish-flow.js';
import { prepareReadEvents } from './read-events.js';
import { prepareSaveDraft } from './save-draft.js';
import { prepareSwarms } from './swarms.js';
import { prepareWebhookCalls } from './webhook-calls.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` (anything `pg` accepts). */
  readonly url: string;
  /** Schema holding the tables, created on `init()`; default `public`. Lower-case identifier. */
  readonly schema?: string;
  /** Connections in the pool; default 10. */
  readonly poolSize?: number;
  /** How long a worker's lease on a run lasts without renewal (ms); default 15,000. */
  readonly leaseMs?: number;
}

/** The PostgreSQL store, plus its pool for diagnostics and tests: read only. */
export interface PostgresStore extends Store {
  readonly pool: PostgresPool;
  readonly schema: string;
}

function prepareOperations(pool: PostgresPool, leaseMs: number) {
  return {
    saveDraft: prepareSaveDraft(pool),
    getDraft: prepareGetDraft(pool),
    publishFlow: preparePublishFlow(pool),
    getFlowVersion: prepareGetFlowVersion(pool),
    listFlows: prepareListFlows(pool),
    commit: prepareCommit(pool, leaseMs),
    loadRun: prepareLoadRun(pool),
    listRuns: prepareListRuns(pool),
    readEvents: prepareReadEvents(pool),
    listSteps: prepareListSteps(pool),
    listActiveRunIds: prepareListActiveRunIds(pool),
    findChildRun: prepareFindChildRun(pool),
    listEndedRuns: prepareListEndedRuns(pool),
    deleteEndedRuns: prepareDeleteEndedRuns(pool),
    dueTimers: prepareDueTimers(pool),
    nextTimerAt: prepareNextTimerAt(pool),
    leases: prepareLeases(pool, leaseMs),
    apiKeys: prepareApiKeys(pool),
    swarms: prepareSwarms(pool),
    prompts: preparePrompts(pool),
    chats: prepareChats(pool),
    webhookCalls: prepareWebhookCalls(pool),
  };
}

/** `records` with every method waiting for `ready()` (the migrations) first. */
function afterMigrations<T extends object>(records: T, ready: () => Promise<unknown>): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(records)) {
    wrapped[name] = async (...args: unknown[]) => {
      await ready();
      return (method as (...a: unknown[]) => unknown)(...args);
    };
  }
  return wrapped as T;
}

/**
 * Creates the pool (no connection yet). Migrations run on `init()`, or on first use if a caller
 * skips it; concurrent workers migrating the same schema are serialised by an advisory lock.
 *
 * @example
 * const store = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:5432/runloom' });
 * await store.init();
 * await store.commit([{ state, created: true, events, steps: [], timersSet: [], timersCleared: [] }]);
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const schema = options.schema ?? 'public';
  const pool = openPool(options.url, schema, options.poolSize ?? 10);
  const leaseMs = options.leaseMs ?? 15_000;
  const ops = prepareOperations(pool, leaseMs);
  let ready: Promise<void> | undefined;
  const use = async () => {
    // A failed migration is retried by the next call rather than cached forever.
    ready ??= migrate(pool, schema).catch((error) => {
      ready = undefined;
      throw error;
    });
    await ready;
    return ops;
  };

  return {
    pool,
    schema,
    capabilities: { supportsSkipLocked: true, persistent: true },
    // Each member waits for the migrations, like every operation.
    apiKeys: afterMigrations(ops.apiKeys, use),
    swarms: afterMigrations(ops.swarms, use),
    prompts: afterMigrations(ops.prompts, use),
    chats: afterMigrations(ops.chats, use),
    journeys: prepareJourneys(pool, use),
    webhookCalls: afterMigrations(ops.webhookCalls, use),
    leases: {
      ttlMs: leaseMs,
      claim: async (owner, limit, runIds, needing) => (await use()).leases.claim(owner, limit, runIds, needing),
      countHeld: async () => (await use()).leases.countHeld(),
      nextFreeTimerAt: async (runIds) => (await use()).leases.nextFreeTimerAt(runIds),
      renew: async (owner, runIds) => (await use()).leases.renew(owner, runIds),
      release: async (owner, runIds) => (await use()).leases.release(owner, runIds),
      handBack: async (owner, runIds) => (await use()).leases.handBack(owner, runIds),
      readInbox: async (runId) => (await use()).leases.readInbox(runId),
      send: async (runId, event, at) => (await use()).leases.send(runId, event, at),
      discard: async (ids) => (await use()).leases.discard(ids),
      offerStep: async (task) => (await use()).leases.offerStep(task),
      withdrawStep: async (runId, seq) => (await use()).leases.withdrawStep(runId, seq),
      claimSteps: async (owner, actions, limit) => (await use()).leases.claimSteps(owner, actions, limit),
      finishStep: async (owner, runId, seq, event, at) => (await use()).leases.finishStep(owner, runId, seq, event, at),
    },
    async init() {
      await use();
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
    async saveDraft(flowId, definition) {
      await (await use()).saveDraft(flowId, definition);
    },
    async getDraft(flowId) {
      return (await use()).getDraft(flowId);
    },
    async publishFlow(flowId, definition) {
      return (await use()).publishFlow(flowId, definition);
    },
    async getFlowVersion(flowId, version) {
      return (await use()).getFlowVersion(flowId, version);
    },
    async listFlows() {
      return (await use()).listFlows();
    },
    async commit(checkpoints) {
      if (checkpoints.length === 0) return;
      // Encoded before the first await: the state of a run still held changes in place (store.ts).
      const batch = foldBatch(checkpoints);
      await (await use()).commit(batch);
    },
    async loadRun(runId) {
      return (await use()).loadRun(runId);
    },
    async listRuns(filter) {
      return (await use()).listRuns(filter);
    },
    async readEvents(runId, afterSeq, limit) {
      return (await use()).readEvents(runId, afterSeq, limit);
    },
    async listSteps(runId) {
      return (await use()).listSteps(runId);
    },
    async listActiveRunIds() {
      return (await use()).listActiveRunIds();
    },
    async findChildRun(parentRunId, seq) {
      return (await use()).findChildRun(parentRunId, seq);
    },
    async listEndedRuns(before, limit, cursor) {
      return (await use()).listEndedRuns(before, limit, cursor);
    },
    async deleteEndedRuns(runIds, before) {
      return (await use()).deleteEndedRuns(runIds, before);
    },
    async dueTimers(now, limit) {
      return (await use()).dueTimers(now, limit);
    },
    async nextTimerAt() {
      return (await use()).nextTimerAt();
    },
  };
}
