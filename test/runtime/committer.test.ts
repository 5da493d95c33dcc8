import { describe, expect, it } from 'vitest';
import { createCommitter } from '../../src/runtime/committer.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Checkpoint, Store } from '../../src/store/store.js';
import { checkpoint, created, event, runState, stepRow } from '../store/fixtures.js';

/**
 * The memory store without its synchronous commit: the committer then queues and batches for it
 * as it does for a store on disk, which is what these tests are about.
 */
function batching(store: Store): Store {
  const { commitNow: _writesAtOnce, ...rest } = store;
  return rest;
}

function counting(store: Store): Store & { transactions: number } {
  const wrapped = Object.create(store) as Store & { transactions: number };
  wrapped.transactions = 0;
  wrapped.commit = (checkpoints: readonly Checkpoint[]) => {
    wrapped.transactions++;
    return store.commit(checkpoints);
  };
  return wrapped;
}

const outcome = (committer: ReturnType<typeof createCommitter>, checkpoint: Checkpoint) =>
  new Promise<unknown>((resolve) => committer.enqueue(checkpoint, (error) => resolve(error ?? 'ok')));

describe('committer', () => {
  it('writes checkpoints enqueued together in one transaction', async () => {
    const store = counting(batching(createMemoryStore()));
    await store.init();
    const committer = createCommitter(store);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((id) => outcome(committer, created(runState({ id }), { events: [event(1)] }))),
    );
    expect(results).toEqual(['ok', 'ok', 'ok']);
    expect(store.transactions).toBe(1);
  });

  it('writes at once to a store that commits synchronously, and answers before enqueue returns', async () => {
    const store = createMemoryStore();
    await store.init();
    await store.commit([created(runState({ id: 'taken' }), { events: [event(1)] })]);
    const committer = createCommitter(store);
    const answers: unknown[] = [];
    committer.enqueue(created(runState({ id: 'fresh' }), { events: [event(1)] }), (error) => answers.push(error ?? 'ok'));
    committer.enqueue(created(runState({ id: 'taken' }), { events: [event(1)] }), (error) => answers.push(error ?? 'ok'));
    expect(answers[0]).toBe('ok');
    expect((answers[1] as { code?: string }).code).toBe('STORE_CONFLICT');
    expect((await store.readEvents('fresh')).map((e) => e.seq)).toEqual([1]);
    await committer.drain();
  });

  it('fails only the bad checkpoint of a batch, the others land', async () => {
    const store = counting(batching(createMemoryStore()));
    await store.init();
    await store.commit([created(runState({ id: 'taken' }), { events: [event(1)] })]);
    const committer = createCommitter(store);
    const [good, bad, alsoGood] = await Promise.all([
      outcome(committer, created(runState({ id: 'x' }), { events: [event(1)] })),
      outcome(committer, created(runState({ id: 'taken' }), { events: [event(1)] })),
      outcome(committer, created(runState({ id: 'y' }), { events: [event(1)] })),
    ]);
    expect(good).toBe('ok');
    expect(alsoGood).toBe('ok');
    expect((bad as { code?: string }).code).toBe('STORE_CONFLICT');
    expect(await store.loadRun('x')).toBeDefined();
    expect(await store.loadRun('y')).toBeDefined();
  });

  it("merges a run's checkpoints made while a write is in flight into one, with every event, row and timer, and answers each in order", async () => {
    const memory = batching(createMemoryStore());
    await memory.init();
    const batches: Checkpoint[][] = [];
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store = Object.create(memory) as Store;
    store.commit = async (checkpoints) => {
      batches.push([...checkpoints]);
      if (batches.length === 1) await held;
      return memory.commit(checkpoints);
    };
    const committer = createCommitter(store);
    const a = runState({ id: 'a' });
    const b = runState({ id: 'b' });
    const order: string[] = [];
    const done = (name: string) => () => order.push(name);
    committer.enqueue(created({ ...b }), done('b1'));
    await new Promise((resolve) => setImmediate(resolve)); // b1 is being written (held)
    // One run's state object, advanced in place between its checkpoints, as the runtime does.
    const live = { ...a, eventSeq: 1 };
    committer.enqueue({ ...created(live), state: live }, done('a1'));
    live.eventSeq = 2;
    committer.enqueue(
      checkpoint(live, { events: [event(2)], steps: [stepRow(2)], timersSet: [{ seq: 7, fireAt: 5 }] }),
      done('a2'),
    );
    live.eventSeq = 3;
    committer.enqueue(checkpoint(live, { events: [event(3)], timersCleared: [7] }), done('a3'));
    release?.();
    await committer.drain();
    expect(order).toEqual(['b1', 'a1', 'a2', 'a3']);
    expect(batches).toHaveLength(2);
    const [merged] = batches[1];
    expect(merged.created).toBe(true);
    expect(merged.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(merged.steps.map((s) => s.seq)).toEqual([2]);
    expect(merged.timersSet).toEqual([{ seq: 7, fireAt: 5 }]);
    expect(merged.timersCleared).toEqual([7]);
    expect((await memory.readEvents('a')).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await memory.dueTimers(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it("fails a run's waiting checkpoint with the one before it that failed: the log never skips", async () => {
    const memory = batching(createMemoryStore());
    await memory.init();
    await memory.commit([created(runState({ id: 'a' }))]);
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store = Object.create(memory) as Store;
    let calls = 0;
    store.commit = async (checkpoints) => {
      if (++calls === 1) await held;
      return memory.commit(checkpoints);
    };
    const committer = createCommitter(store);
    const live = { ...runState({ id: 'a' }), eventSeq: 2 };
    // Event 1 is already stored: this checkpoint is refused.
    const first = outcome(committer, checkpoint(live, { events: [event(1)] }));
    await new Promise((resolve) => setImmediate(resolve)); // being written (held)
    live.eventSeq = 3;
    const second = outcome(committer, checkpoint(live, { events: [event(3)] }));
    release?.();
    expect((await first) as { code?: string }).toMatchObject({ code: 'STORE_CONFLICT' });
    expect((await second) as { code?: string }).toMatchObject({ code: 'STORE_CONFLICT' });
    await committer.drain();
    expect((await memory.readEvents('a')).map((e) => e.seq)).toEqual([1]);
  });

  it('keeps a run taken over again apart from what its previous holder left waiting: only the stale checkpoint fails', async () => {
    const memory = batching(createMemoryStore());
    await memory.init();
    await memory.commit([created(runState({ id: 'a' }), { events: [event(1)] })]);
    await memory.commit([checkpoint({ ...runState({ id: 'a' }), eventSeq: 2 }, { events: [event(2)] })]);
    const committer = createCommitter(memory);
    // The previous holder's state: its checkpoint of event 2 was never written (another holder
    // wrote event 2 since), and it waits in the queue when this process claims the run again.
    const previous = { ...runState({ id: 'a' }), eventSeq: 2 };
    const stale = outcome(committer, checkpoint(previous, { events: [event(2)] }));
    // The run as claimed now: a new state object going on from the store's event 2.
    const claimed = { ...runState({ id: 'a' }), eventSeq: 3 };
    const fresh = outcome(committer, checkpoint(claimed, { events: [event(3)] }));
    claimed.eventSeq = 4;
    const next = outcome(committer, checkpoint(claimed, { events: [event(4)] }));
    expect((await stale) as { code?: string }).toMatchObject({ code: 'STORE_CONFLICT' });
    expect(await fresh).toBe('ok');
    expect(await next).toBe('ok');
    await committer.drain();
    expect((await memory.readEvents('a')).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });
});
