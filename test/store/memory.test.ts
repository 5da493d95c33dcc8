import { describe, expect, it } from 'vitest';
import { createMemoryStore, openStore } from '../../src/store/index.js';
import { created, runState } from './fixtures.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', async () => createMemoryStore());

describe('memory store', () => {
  it('says it does not persist', () => {
    expect(createMemoryStore().capabilities).toEqual({ supportsSkipLocked: false, persistent: false });
  });

  it('keeps committed states and events by reference (no copy on the hot path), and hands out copies of states', async () => {
    const store = createMemoryStore();
    const cp = created(runState({ id: 'a' }));
    await store.commit([cp]);
    const loaded = await store.loadRun('a');
    expect(loaded).toEqual(cp.state);
    expect(loaded).not.toBe(cp.state); // the runtime advances its run's state in place
    expect((await store.readEvents('a'))[0]).toBe(cp.events[0]);
  });

  it('is what openStore("memory:") opens', () => {
    expect(openStore('memory:').capabilities.persistent).toBe(false);
  });
});
