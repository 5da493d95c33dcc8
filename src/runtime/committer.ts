/**
 * Group commit: checkpoints produced while a commit is being written (or within the same
 * event-loop turn) go to the store together, in one transaction. Each caller learns when its
 * checkpoint is durable; effects run only after that.
 *
 * A run has at most one checkpoint waiting: the next one of the same run merges into it. The
 * engine updates a run's state in place, so a waiting checkpoint's state is already the run's
 * latest; merging keeps the events, step rows and timers that go with it in the same write (a
 * batch never holds a state ahead of its events), and a fan-out finishing together writes its
 * run's row once.
 *
 * "The same run" means the same state object, not only the same id: a run taken over again by
 * this process (a new claim, a new fence) is a new object whose log goes on from the store, not
 * from what its previous holder left waiting here. Merging the two would put the old holder's
 * events beside the new ones and have the store refuse both.
 */
import type { RunEvent } from '../engine/types.js';
import type { Checkpoint, StepRow, Store } from '../store/store.js';

type Done = (error?: unknown) => void;

interface Entry {
  readonly runId: string;
  checkpoint: Checkpoint;
  readonly done: Done;
  /** Callers of the checkpoints merged into this one, in order. */
  more?: Done[];
  /** Set on the first merge: the entry's own lists, appended to by later merges. */
  merged?: Merged;
}

interface Merged {
  events: RunEvent[];
  steps: StepRow[];
  timersSet: { seq: number; fireAt: number }[];
  timersCleared: number[];
  inboxDone: number[];
}

/** The run's state has had transitions since this checkpoint was made (the state is shared). */
function movedOn(checkpoint: Checkpoint): boolean {
  const events = checkpoint.events;
  return events.length > 0 && checkpoint.state.eventSeq !== events[events.length - 1].seq;
}

function merge(entry: Entry, next: Checkpoint): void {
  const first = entry.checkpoint;
  let lists = entry.merged;
  if (!lists) {
    lists = {
      events: first.events.slice(),
      steps: first.steps.slice(),
      timersSet: first.timersSet.slice(),
      timersCleared: first.timersCleared.slice(),
      inboxDone: first.inboxDone ? first.inboxDone.slice() : [],
    };
    entry.merged = lists;
  }
  for (const e of next.events) lists.events.push(e);
  for (const s of next.steps) lists.steps.push(s);
  for (const t of next.timersSet) lists.timersSet.push(t);
  for (const seq of next.timersCleared) lists.timersCleared.push(seq);
  if (next.inboxDone) for (const id of next.inboxDone) lists.inboxDone.push(id);
  entry.checkpoint = {
    ...next,
    created: first.created === true || next.created === true,
    // A snapshot any of them asked for (a status change) must not be lost to a later one.
    snapshot: first.snapshot !== false || next.snapshot !== false,
    events: lists.events,
    steps: lists.steps,
    timersSet: lists.timersSet,
    timersCleared: lists.timersCleared,
    ...(lists.inboxDone.length > 0 ? { inboxDone: lists.inboxDone } : {}),
  };
}

export interface Committer {
  /**
   * For a store with `commitNow`: writes the checkpoint before it returns, or throws what the
   * store refused. The caller needs no callback (one closure less per step in memory).
   */
  readonly now: ((checkpoint: Checkpoint) => void) | undefined;
  /** `done` is called once the checkpoint is durable; for a store with `commitNow`, before this returns. */
  enqueue(checkpoint: Checkpoint, done: (error?: unknown) => void): void;
  /** Resolves when everything enqueued so far is written. */
  drain(): Promise<void>;
}

const resolved = Promise.resolve();

export function createCommitter(store: Store, maxBatch = 1000): Committer {
  const commitNow = store.commitNow?.bind(store);
  if (commitNow) {
    // A store without I/O (memory) has no write for checkpoints to share: each is written as it
    // is made and answered before enqueue returns, which spares every step the queue, the batch
    // and an extra turn of promises (a fifth of a step's cost in memory).
    const now = (checkpoint: Checkpoint) => commitNow([checkpoint]);
    return {
      now,
      enqueue(checkpoint, done) {
        try {
          now(checkpoint);
        } catch (error) {
          done(error);
          return;
        }
        done();
      },
      drain: () => resolved,
    };
  }
  const persistent = store.capabilities.persistent;
  let queue: Entry[] = [];
  /** `queue`'s checkpoints, kept beside it: what the next write takes. */
  let checkpoints: Checkpoint[] = [];
  /** The waiting (not yet writing) entry of each run. */
  const waiting = new Map<string, Entry>();
  let writing = false;
  let scheduled = false;
  let idle: (() => void)[] = [];

  const flush = async () => {
    scheduled = false;
    if (writing) return;
    writing = true;
    while (queue.length > 0) {
      let batch = queue;
      let written = checkpoints;
      if (queue.length <= maxBatch) {
        queue = [];
        checkpoints = [];
      } else {
        batch = queue.slice(0, maxBatch);
        written = checkpoints.slice(0, maxBatch);
        queue = queue.slice(maxBatch);
        checkpoints = checkpoints.slice(maxBatch);
      }
      for (const entry of batch) if (waiting.get(entry.runId) === entry) waiting.delete(entry.runId);
      try {
        // Read here, after the merges: an entry's checkpoint object is replaced when one merges in.
        for (let i = 0; i < batch.length; i++) written[i] = batch[i].checkpoint;
        await store.commit(written);
        for (const entry of batch) settle(entry);
      } catch (error) {
        await isolate(batch, error);
      }
    }
    writing = false;
    const drained = idle;
    idle = [];
    for (const resolve of drained) resolve();
  };

  /**
   * A batch is all or nothing, so one bad checkpoint (a run another writer touched) would fail
   * every run in it: write them one by one, so only the bad one fails.
   */
  const isolate = async (batch: Entry[], error: unknown) => {
    if (batch.length === 1) {
      settle(batch[0], error ?? new Error('commit failed'));
      return;
    }
    for (const entry of batch) {
      // Its run advanced while the batch was being written: the state is ahead of these events.
      // Written alone it would lose the events in between, so the run's waiting checkpoint
      // joins it (the state is the same object) and both are written together.
      if (movedOn(entry.checkpoint)) takeWaiting(entry);
      try {
        await store.commit([entry.checkpoint]);
        settle(entry);
      } catch (single) {
        settle(entry, single ?? new Error('commit failed'));
      }
    }
  };

  /** Takes the waiting checkpoint of the same run (the same state object) out of the queue. */
  const unqueue = (of: Entry): Entry | undefined => {
    const later = waiting.get(of.runId);
    if (!later || later.checkpoint.state !== of.checkpoint.state) return undefined;
    const runId = of.runId;
    waiting.delete(runId);
    const index = queue.indexOf(later);
    queue.splice(index, 1);
    checkpoints.splice(index, 1);
    return later;
  };

  const takeWaiting = (entry: Entry) => {
    const later = unqueue(entry);
    if (!later) return;
    merge(entry, later.checkpoint);
    entry.more = [...(entry.more ?? []), later.done, ...(later.more ?? [])];
  };

  /**
   * Each transition merged into the entry learns its outcome, in the order they were made. A
   * failure fails the run's checkpoint still waiting too: it continues the log from the one that
   * was not written.
   */
  const settle = (entry: Entry, error?: unknown) => {
    entry.done(error);
    if (entry.more) for (const done of entry.more) done(error);
    if (error === undefined) return;
    const later = unqueue(entry);
    if (later) settle(later, error);
  };

  return {
    now: undefined,
    enqueue(checkpoint, done) {
      const runId = checkpoint.state.meta.id;
      const entry = waiting.get(runId);
      if (entry && entry.checkpoint.state === checkpoint.state) {
        merge(entry, checkpoint);
        if (entry.more) entry.more.push(done);
        else entry.more = [done];
        return;
      }
      const fresh: Entry = { runId, checkpoint, done };
      waiting.set(runId, fresh);
      queue.push(fresh);
      checkpoints.push(checkpoint);
      if (!scheduled && !writing) {
        scheduled = true;
        // A persistent store flushes on setImmediate, not a microtask: results that land in the
        // same event-loop turn (timers, I/O callbacks) then share one transaction. With a
        // synchronous store nothing can enqueue while a write is in progress, so a microtask flush
        // would commit (and fsync) them one by one. A store that is not persistent (a memory
        // store wrapped without its synchronous commit) flushes at once — on a resolved
        // promise, not queueMicrotask, which Node wraps in an async resource per callback.
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
