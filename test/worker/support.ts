/**
 * Multi-process harness: `runloom worker` child processes on the real PostgreSQL and Redis,
 * each on a fresh schema and channel prefix, and a client Runloom in the test process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createRunloom, type Runloom } from '../../src/runloom.js';
import work from './fixtures/actions.js';
import special from './fixtures/special-actions.js';

export const pgUrl = process.env.RUNLOOM_TEST_PG_URL;
export const redisUrl = process.env.RUNLOOM_TEST_REDIS_URL;
export const canRun = Boolean(pgUrl && redisUrl);
export const skipped = canRun ? '' : ' (skipped: needs RUNLOOM_TEST_PG_URL and RUNLOOM_TEST_REDIS_URL)';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/runloom.mjs');
/** Action modules a worker can load: `work` (test.work), `special` (test.special). */
export const ACTION_MODULES = {
  work: join(ROOT, 'test/worker/fixtures/actions.ts'),
  special: join(ROOT, 'test/worker/fixtures/special-actions.ts'),
} as const;
export type ActionModule = keyof typeof ACTION_MODULES;

export interface Cluster {
  readonly storeUrl: string;
  readonly busUrl: string;
  readonly dir: string;
  /** Starts a worker (with the `work` actions by default); resolves once it says it has started. */
  startWorker(id: string, modules?: readonly ActionModule[]): Promise<ChildProcess>;
  /** A Runloom in this process: a client (no execution) unless `execute`. */
  client(execute?: boolean): Promise<Runloom>;
  /** Idempotency keys executed, across every worker that ever ran. */
  executions(): string[];
  readonly workers: Map<string, ChildProcess>;
  close(): Promise<void>;
}

export async function openCluster(leaseMs = 1_000): Promise<Cluster> {
  const schema = `runloom_wk_${randomBytes(6).toString('hex')}`;
  const storeUrl = `${pgUrl}?schema=${schema}&lease_ms=${leaseMs}`;
  const busUrl = `${redisUrl}?prefix=runloom-wk-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'runloom-wk-'));
  const workers = new Map<string, ChildProcess>();
  const clients: Runloom[] = [];
  return {
    storeUrl,
    busUrl,
    dir,
    workers,
    startWorker(id, modules = ['work']) {
      const child = spawn(
        process.execPath,
        [
          BIN,
          '--store',
          storeUrl,
          '--bus',
          busUrl,
          ...modules.flatMap((m) => ['--actions', ACTION_MODULES[m]]),
          'worker',
          '--id',
          id,
          '--poll-ms',
          '200',
        ],
        {
          env: { ...process.env, RUNLOOM_TEST_EXEC_LOG: join(dir, `${id}.exec`) },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      workers.set(id, child);
      return new Promise((resolve, reject) => {
        let err = '';
        child.stderr?.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          if (err.includes('started')) resolve(child);
        });
        child.once('exit', (code, signal) =>
          reject(new Error(`worker ${id} exited (${signal ?? code}) before starting: ${err}`)),
        );
      });
    },
    async client(execute = false) {
      const runloom = await createRunloom({ store: storeUrl, bus: busUrl, actions: [...work, ...special], execute });
      clients.push(runloom);
      return runloom;
    },
    executions() {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.exec'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    },
    async close() {
      for (const child of workers.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const runloom of clients) await runloom.close();
      rmSync(dir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** Kills a worker with SIGKILL and resolves once it is gone. */
export function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
