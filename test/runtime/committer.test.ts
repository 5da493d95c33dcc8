import { describe, expect, it } from 'vitest';
import { createCommitter } from '../../src/runtime/committer.js';
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Checkpoint, Store } from '../../src/store/store.js';
import { created, event, runState } from '../store/fixtures.js';

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
    const store = counting(createMemoryStore());
    await store.init();
    const committer = createCommitter(store);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((id) => outcome(committer, created(runState({ id }), { events: [event(1)] }))),
    );
    expect(results).toEqual(['ok', 'ok', 'ok']);
    expect(store.transactions).toBe(1);
  });

  it('fails only the bad checkpoint of a batch, the others land', async () => {
    const store = counting(createMemoryStore());
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
});
