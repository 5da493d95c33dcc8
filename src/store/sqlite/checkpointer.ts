/**
 * Moves WAL checkpoints off the committing thread.
 *
 * In WAL mode a commit only appends to the log; every ~1000 pages SQLite copies the log back into
 * the database file and fsyncs both ("checkpoint"). Done inline, that stalls whichever commit
 * crosses the threshold for milliseconds, and better-sqlite3 runs on the event loop, so every
 * run waits. Here a worker thread with its own connection runs PASSIVE checkpoints on a timer
 * (they never block the writer), and the committing connection's auto-checkpoint is turned off.
 *
 * One thing only the writer can do: reset the log to its beginning. SQLite does that when a
 * write starts and the whole log has been copied back, which a checkpoint on another connection
 * never achieves while commits keep coming. So every `restartEvery` checkpoints the writer runs
 * one PASSIVE checkpoint itself: cheap, because the worker has already copied and synced nearly
 * all of the log, and it bounds the log's size under sustained load.
 *
 * If the worker dies, the connection goes back to SQLite's inline auto-checkpoint: slower, never
 * unsafe. Checkpoints are crash-safe wherever they run.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Statement } from 'better-sqlite3';
import type { Durability } from '../store.js';
import type { SqliteDatabase } from './open-database.js';

/** SQLite's default auto-checkpoint threshold, in pages, restored if the worker dies. */
const INLINE_AUTOCHECKPOINT = 1000;

// CommonJS evaluated in the worker (`eval: true`): nothing to compile or locate on disk.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = ' + workerData.synchronous);
let timer;
const pass = () => {
  db.pragma('wal_checkpoint(PASSIVE)');
  timer = setTimeout(pass, workerData.intervalMs);
};
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
pass();
`;

export interface CheckpointerOptions {
  /** Checkpoints committed inline before the worker starts (short-lived stores never need it). */
  readonly startAfter?: number;
  /** Pause between two background checkpoints. */
  readonly intervalMs?: number;
  /**
   * Checkpoints committed between two log resets by the writer. Each reset costs the event loop
   * two fsyncs (~5 ms here): every 1000 commits it took a sixth of a sequential run's time, every
   * 4000 the log stays under ~50 MB (3–4 pages a commit).
   */
  readonly restartEvery?: number;
}

export interface Checkpointer {
  /** Tells it `count` checkpoints were just committed (after the transaction, never inside). */
  committed(count: number): void;
  /** Stops the worker, if it started, and waits for it to close its connection. */
  stop(): Promise<void>;
}

/**
 * Watches the commits of `db` and starts the worker once `startAfter` checkpoints were written:
 * a CLI command that opens the store to read or write a few rows never pays for a thread.
 */
export function createCheckpointer(
  db: SqliteDatabase,
  path: string,
  durability: Durability,
  options: CheckpointerOptions = {},
): Checkpointer {
  const startAfter = options.startAfter ?? 100;
  const intervalMs = options.intervalMs ?? 20;
  const restartEvery = options.restartEvery ?? 4000;
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let passive: Statement<[]> | undefined;
  let running = false;
  let stopping = false;
  let count = 0;

  const start = () => {
    passive = db.prepare<[]>('PRAGMA wal_checkpoint(PASSIVE)');
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        // Absolute: the worker must open the same file even if the process changes directory.
        path: resolve(path),
        synchronous: durability === 'strict' ? 'FULL' : 'NORMAL',
        intervalMs,
      },
    });
    // A store left open must not keep the process alive.
    w.unref();
    exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    const fallBack = () => {
      if (!running) return;
      running = false;
      if (!stopping && db.open) db.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT}`);
    };
    w.on('error', fallBack);
    w.once('exit', fallBack);
    db.pragma('wal_autocheckpoint = 0');
    worker = w;
    running = true;
    count = 0;
  };

  return {
    committed(n) {
      count += n;
      if (!worker) {
        if (count >= startAfter && !stopping) start();
        return;
      }
      if (!running || count < restartEvery) return;
      try {
        // busy = 1: the worker is mid-checkpoint; try again after the next commit.
        if ((passive!.get() as { busy: number }).busy === 0) count = 0;
      } catch {
        // The commit itself is durable; a failed housekeeping checkpoint is retried next time.
      }
    },
    async stop() {
      stopping = true;
      const w = worker;
      if (!w) return;
      worker = undefined;
      w.ref();
      w.postMessage('stop');
      const force = setTimeout(() => void w.terminate(), 5000);
      force.unref();
      await exited;
      clearTimeout(force);
    },
  };
}
