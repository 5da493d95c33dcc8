import { describe, expect, it } from 'vitest';
import { createMemoryStore, openStore } from '../../src/store/index.js';
import { created, runState } from './fixtures.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', async () => createMemoryStore());

describe('memory store', () => {
  it('says it does not persist', () => {
    expect(createMemoryStore().capabilities).toEqual({ supportsSkipLocked: false, persistent: false });
  });

  it('keeps committed states by reference (states are immutable values: no copy on the hot path)', async () => {
    const store = createMemoryStore();
    const cp = created(runState({ id: 'a' }));
    await store.commit([cp]);
    expect(await store.loadRun('a')).toBe(cp.state);
    expect((await store.readEvents('a'))[0]).toBe(cp.events[0]);
  });

  it('is what openStore("memory:") opens', () => {
    expect(openStore('memory:').capabilities.persistent).toBe(false);
  });
});
