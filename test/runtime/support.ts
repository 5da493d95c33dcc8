/**
 * Runtime integration tests run against real stores: a SQLite file under os.tmpdir(), the memory
 * store and, when RUNLOOM_TEST_PG_URL is set (CI sets it), PostgreSQL — a fresh schema per
 * Runloom, opened as a worker (leases, fencing, inboxes: the shared mode, not a shortcut). `openRunloom` gives a Runloom plus a counter of the store calls it made (the
 * real store underneath, only counted), and cleans up after itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ActionDefinition } from '../../src/actions/action.js';
import type { RunState } from '../../src/engine/types.js';
import { createRunloom, type Runloom, type RunloomOptions } from '../../src/runloom.js';
import { type Checkpoint, createPostgresStore, openStore, type Store } from '../../src/store/index.js';

export { forkJoinFlow, linearFlow } from '../support/flows.js';

export type StoreKind = 'memory' | 'sqlite' | 'postgres';
const pgUrl = process.env.RUNLOOM_TEST_PG_URL;
export const STORE_KINDS: readonly StoreKind[] = pgUrl ? ['memory', 'sqlite', 'postgres'] : ['memory', 'sqlite'];

export interface StoreCalls {
  /** `commit()` calls, i.e. store transactions. */
  commits: number;
  /** Checkpoints written across all commits (one per run transition). */
  checkpoints: number;
  /** Largest batch seen. */
  maxBatch: number;
  loadRun: number;
}

export interface TestRunloom extends Runloom {
  readonly calls: StoreCalls;
  /** The file behind a SQLite store (undefined for memory). */
  readonly path: string | undefined;
}

const opened: { runloom: Runloom; dir?: string; schema?: string }[] = [];

/**
 * The store with `before` called on every batch it is asked to write, through `commit()` and
 * `commitNow()` alike; `before` may throw to refuse the batch.
 */
export function onCommit(store: Store, before: (checkpoints: readonly Checkpoint[]) => void): Store {
  const commitNow = store.commitNow?.bind(store);
  return {
    ...store,
    async commit(checkpoints) {
      before(checkpoints);
      return store.commit(checkpoints);
    },
    ...(commitNow
      ? {
          commitNow(checkpoints) {
            before(checkpoints);
            commitNow(checkpoints);
          },
        }
      : {}),
  };
}

/** Counts calls, then hands them to the real store unchanged. */
export function countingStore(store: Store, calls: StoreCalls): Store {
  const counted = onCommit(store, (checkpoints) => {
    calls.commits++;
    calls.checkpoints += checkpoints.length;
    calls.maxBatch = Math.max(calls.maxBatch, checkpoints.length);
  });
  return {
    ...counted,
    async loadRun(runId) {
      calls.loadRun++;
      return store.loadRun(runId);
    },
  };
}

export async function openRunloom(
  kind: StoreKind,
  actions: readonly ActionDefinition[] = [],
  options: Omit<RunloomOptions, 'store' | 'actions'> = {},
  /** Wraps the (counted) real store, e.g. to hold commits open. */
  wrap: (store: Store) => Store = (store) => store,
): Promise<TestRunloom> {
  const dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'runloom-rt-')) : undefined;
  const path = dir ? join(dir, 'runloom.db') : undefined;
  const schema = kind === 'postgres' ? `runloom_rt_${randomBytes(6).toString('hex')}` : undefined;
  const calls: StoreCalls = { commits: 0, checkpoints: 0, maxBatch: 0, loadRun: 0 };
  const base = schema
    ? createPostgresStore({ url: pgUrl as string, schema, leaseMs: 5_000 })
    : openStore(path ?? 'memory:', { durability: options.durability ?? 'normal' });
  const store = wrap(countingStore(base, calls));
  const runloom = await createRunloom({ ...options, store, actions, ...(schema ? { worker: { pollMs: 200 } } : {}) });
  opened.push({ runloom, ...(dir ? { dir } : {}), ...(schema ? { schema } : {}) });
  return { ...runloom, calls, path };
}

/** Closes every Runloom opened by the test and removes its files (call in afterEach). */
export async function closeAll(): Promise<void> {
  for (const { runloom, dir, schema } of opened.splice(0)) {
    await runloom.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (schema) await dropSchema(schema);
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export const isWaiting = (state: RunState) => state.status === 'waiting';

/** Resolves after `ms` of real time. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
