/**
 * Readers (get, state, wait, list of steps) only ever see durable states: a state whose
 * checkpoint is still being written could be taken back by a crash, so nobody may observe it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { closeAll, isWaiting, linearFlow, openRunloom, STORE_KINDS, sleep } from './support.js';

/**
 * The real store, whose commits wait while `held` is set. Without the memory store's synchronous
 * commit: holding a write open is only possible where writes can be in flight.
 */
function holdable(store: Store) {
  const gate = { held: false, waiting: 0, release: () => {} };
  let opened: Promise<void> = Promise.resolve();
  const hold = () => {
    gate.held = true;
    opened = new Promise<void>((resolve) => {
      gate.release = () => {
        gate.held = false;
        resolve();
      };
    });
  };
  const { commitNow: _writesAtOnce, ...asynchronous } = store;
  const wrapped: Store = {
    ...asynchronous,
    async commit(checkpoints) {
      if (gate.held) {
        gate.waiting++;
        await opened;
      }
      return store.commit(checkpoints);
    },
  };
  return { wrapped, gate, hold };
}

afterEach(closeAll);

describe.each(STORE_KINDS)('reads (%s store)', (kind) => {
  it('never shows a state whose checkpoint is still being written', async () => {
    let control: ReturnType<typeof holdable> | undefined;
    const runloom = await openRunloom(kind, [], {}, (store) => {
      control = holdable(store);
      return control.wrapped;
    });
    const { gate, hold } = control as ReturnType<typeof holdable>;
    await runloom.flows.publish(linearFlow('gated', [{ id: 'gate', type: 'wait', signal: 'go', output: 'gate' }]));
    const run = await runloom.runs.start('gated', {});
    await runloom.runs.wait(run.id, isWaiting);

    hold();
    const signalled = runloom.runs.signal(run.id, 'go', { n: 1 });
    const finished = runloom.runs.wait(run.id);
    let settled = false;
    void Promise.all([signalled, finished]).then(() => {
      settled = true;
    });
    let read: Promise<unknown> | undefined;
    try {
      while (gate.waiting === 0) await sleep(1);
      await sleep(20);
      // The completion is decided in memory but not yet durable: readers still see the wait.
      expect(settled).toBe(false);
      if (kind === 'memory') {
        // Nothing is durable in memory: a read waits for the commit (within a turn, unless held).
        let answered = false;
        read = runloom.runs.get(run.id).then((view) => {
          answered = true;
          return view;
        });
        await sleep(20);
        expect(answered).toBe(false);
      } else {
        expect((await runloom.runs.get(run.id)).status).toBe('waiting');
        expect((await runloom.runs.state(run.id)).vars).toEqual({});
      }
    } finally {
      gate.release();
    }
    if (read) expect(await read).toMatchObject({ status: 'completed' });
    const [afterSignal, done] = await Promise.all([signalled, finished]);
    expect(afterSignal.status).toBe('completed');
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ gate: { n: 1 } });
    expect((await runloom.runs.events(run.id)).at(-1)?.type).toBe('run.completed');
  });

  it('a control that changes nothing still answers with a durable state', async () => {
    let control: ReturnType<typeof holdable> | undefined;
    const runloom = await openRunloom(kind, [], {}, (store) => {
      control = holdable(store);
      return control.wrapped;
    });
    const { gate, hold } = control as ReturnType<typeof holdable>;
    await runloom.flows.publish(linearFlow('gated', [{ id: 'gate', type: 'wait', signal: 'go' }]));
    const run = await runloom.runs.start('gated', {});
    await runloom.runs.wait(run.id, isWaiting);

    hold();
    const paused = runloom.runs.pause(run.id);
    let again: ReturnType<typeof runloom.runs.pause>;
    try {
      while (gate.waiting === 0) await sleep(1);
      // A second pause changes nothing in memory; it must not answer before the first is durable.
      again = runloom.runs.pause(run.id);
      let answered = false;
      void again.then(() => {
        answered = true;
      });
      await sleep(20);
      expect(answered).toBe(false);
    } finally {
      gate.release();
    }
    expect((await paused).status).toBe('paused');
    expect((await again).status).toBe('paused');
  });

  it("a start's view stays as it was when the run goes on (it is read from the run's own state)", async () => {
    const runloom = await openRunloom(kind);
    await runloom.flows.publish(
      linearFlow('later', [
        { id: 'pause', type: 'task', action: 'delay', input: { ms: 20 }, output: 'pause' },
        { id: 'note', type: 'task', action: 'set', input: { n: 2 }, output: 'note' },
      ]),
    );
    // Returned while the delay runs: the run goes on in the very state object the view was read from.
    const started = await runloom.runs.start('later', {});
    const before = JSON.parse(JSON.stringify(started));
    const done = await runloom.runs.wait(started.id);
    expect(done.vars).toEqual({ pause: { waitedMs: expect.any(Number) }, note: { n: 2 } });
    expect(done.usage.steps).toBeGreaterThan(before.usage.steps);
    expect(before.vars).toEqual({});
    expect(JSON.parse(JSON.stringify(started))).toEqual(before);
  });
});
