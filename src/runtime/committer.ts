/**
 * Group commit: checkpoints produced while a commit is being written (or within the same
 * event-loop turn) go to the store together, in one transaction. Each caller learns when its
 * checkpoint is durable; effects run only after that.
 */
import type { Checkpoint, Store } from '../store/store.js';

interface Entry {
  readonly checkpoint: Checkpoint;
  readonly done: (error?: unknown) => void;
}

export interface Committer {
  enqueue(checkpoint: Checkpoint, done: (error?: unknown) => void): void;
  /** Resolves when everything enqueued so far is written. */
  drain(): Promise<void>;
}

const resolved = Promise.resolve();

export function createCommitter(store: Store, maxBatch = 1000): Committer {
  const persistent = store.capabilities.persistent;
  let queue: Entry[] = [];
  let writing = false;
  let scheduled = false;
  let idle: (() => void)[] = [];

  const flush = async () => {
    scheduled = false;
    if (writing) return;
    writing = true;
    while (queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      try {
        await store.commit(batch.map((entry) => entry.checkpoint));
        for (const entry of batch) entry.done();
      } catch (error) {
        await isolate(batch, error);
      }
    }
    writing = false;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };

  /**
   * A batch is all or nothing, so one bad checkpoint (a run another writer touched) would fail
   * every run in it: write them one by one, so only the bad one fails.
   */
  const isolate = async (batch: Entry[], error: unknown) => {
    if (batch.length === 1) {
      batch[0].done(error ?? new Error('commit failed'));
      return;
    }
    for (const entry of batch) {
      try {
        await store.commit([entry.checkpoint]);
        entry.done();
      } catch (single) {
        entry.done(single ?? new Error('commit failed'));
      }
    }
  };

  return {
    enqueue(checkpoint, done) {
      queue.push({ checkpoint, done });
      if (!scheduled && !writing) {
        scheduled = true;
        // A persistent store flushes on setImmediate, not a microtask: results that land in the
        // same event-loop turn (timers, I/O callbacks) then share one transaction. With a
        // synchronous store nothing can enqueue while a write is in progress, so a microtask flush
        // would commit (and fsync) them one by one. A memory store has no write to share: it
        // flushes at once and spares every step an event-loop turn.
        // (A resolved promise, not queueMicrotask: Node wraps each queueMicrotask callback in an
        // async resource, a measurable cost per step in memory.)
        if (persistent) setImmediate(flush);
        else resolved.then(flush);
      }
    },
    drain() {
      if (!writing && !scheduled && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
