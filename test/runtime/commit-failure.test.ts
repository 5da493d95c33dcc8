/**
 * A commit the store refuses leaves memory ahead of the store: the runtime lets go of the run,
 * and what arrives for it next (here, the result of a step it still had in flight) loads it
 * again from the store, which runs its pending steps again. The run ends with a log without
 * gaps; applying that result to the object it let go of would write events after a hole.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import type { Store } from '../../src/store/index.js';
import { closeAll, forkJoinFlow, onCommit, openRunloom, STORE_KINDS, sleep } from './support.js';

const runs: Record<string, number> = {};
const slow = defineAction({
  name: 'test.slow',
  input: z.object({ name: z.string(), ms: z.number() }),
  async run({ name, ms }) {
    runs[name] = (runs[name] ?? 0) + 1;
    await sleep(ms);
    return name;
  },
});

/** Refuses the first commit that carries a step result, once. */
function refusingOnce(store: Store): Store {
  let refused = false;
  return onCommit(store, (checkpoints) => {
    if (refused || !checkpoints.some((cp) => cp.events.some((e) => e.type === 'step.completed'))) return;
    refused = true;
    throw Object.assign(new Error('refused by the test'), { code: 'STORE_CONFLICT' });
  });
}

afterEach(closeAll);

// SQLite: a store that keeps what it wrote apart from the runtime's memory. The memory store keeps
// the run's own state object (no copy per commit), so there a refused commit is not undone, and
// PostgreSQL lets go of runs through leases (test/worker).
describe.each(STORE_KINDS.filter((kind) => kind === 'sqlite'))('a refused commit (%s store)', (kind) => {
  it('lets go of the run; the next result of a step it had in flight brings it back, and it completes', async () => {
    for (const key of Object.keys(runs)) delete runs[key];
    const logged: string[] = [];
    const runloom = await openRunloom(kind, [slow], { log: (message) => logged.push(message) }, refusingOnce);
    await runloom.flows.publish(
      forkJoinFlow('pair', [
        { id: 'a', type: 'task', action: 'test.slow', input: { name: 'a', ms: 5 }, output: 'a' },
        { id: 'b', type: 'task', action: 'test.slow', input: { name: 'b', ms: 60 }, output: 'b' },
      ]),
    );
    const run = await runloom.runs.start('pair', {});
    const done = await runloom.runs.wait(run.id);

    expect(logged).toContain('commit failed');
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ a: 'a', b: 'b' });
    // a's first result was lost with the refused commit: the reloaded run ran it again.
    expect(runs.a).toBe(2);
    const seqs = (await runloom.runs.events(run.id)).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});

// The memory store commits synchronously: its refusal reaches the runtime as a throw, not a callback.
describe('a refused synchronous commit (memory store)', () => {
  it('is logged, lets go of that run, and the runtime goes on with the others', async () => {
    const logged: { message: string; data: unknown }[] = [];
    let target: string | undefined;
    let refusals = 0;
    const runloom = await openRunloom('memory', [slow], { log: (message, data) => logged.push({ message, data }) }, (store) =>
      onCommit(store, (checkpoints) => {
        if (!checkpoints.some((cp) => cp.state.meta.id === target && !cp.created)) return;
        refusals++;
        throw Object.assign(new Error('refused by the test'), { code: 'STORE_CONFLICT' });
      }),
    );
    await runloom.flows.publish(
      forkJoinFlow('pair', [{ id: 'a', type: 'task', action: 'test.slow', input: { name: 'a', ms: 5 }, output: 'a' }]),
    );
    const refused = await runloom.runs.start('pair', {});
    target = refused.id;
    const other = await runloom.runs.start('pair', {});
    expect((await runloom.runs.wait(other.id)).status).toBe('completed');
    await sleep(30);
    expect(refusals).toBeGreaterThan(0);
    expect(logged).toContainEqual({
      message: 'commit failed',
      data: expect.objectContaining({ runId: refused.id, error: expect.objectContaining({ code: 'STORE_CONFLICT' }) }),
    });
  });
});
