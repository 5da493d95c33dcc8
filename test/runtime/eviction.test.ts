/**
 * Runs with nothing in flight leave memory when they park, and are read back from the store when
 * something arrives for them. Seen from outside through the store's `loadRun` calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';
import { closeAll, isWaiting, linearFlow, openRunloom, STORE_KINDS, sleep } from './support.js';

const stamp = defineAction({
  name: 'test.stamp',
  input: z.object({ n: z.number() }),
  run: ({ n }) => ({ n }),
});

const release: (() => void)[] = [];
const hold = defineAction({
  name: 'test.hold',
  input: z.object({}),
  run: () => new Promise<{ held: true }>((resolve) => release.push(() => resolve({ held: true }))),
});

const PARKED = 100;

afterEach(closeAll);

describe.each(STORE_KINDS)('eviction (%s store)', (kind) => {
  it('parked runs leave memory and are reloaded from the store by a signal', async () => {
    const runloom = await openRunloom(kind, [stamp]);
    await runloom.flows.publish(
      linearFlow(
        'park',
        [
          { id: 'before', type: 'task', action: 'test.stamp', input: { n: '=input.n' }, output: 'before' },
          { id: 'gate', type: 'wait', signal: 'go', output: 'gate' },
          { id: 'after', type: 'task', action: 'test.stamp', input: { n: '=vars.gate.n + vars.before.n' }, output: 'after' },
        ],
        { inputs: { type: 'object', properties: { n: { type: 'number' } } } },
      ),
    );
    const runs = await Promise.all(Array.from({ length: PARKED }, (_, n) => runloom.runs.start('park', { n })));
    await Promise.all(runs.map((run) => runloom.runs.wait(run.id, isWaiting)));

    const loads = runloom.calls.loadRun;
    await Promise.all(runs.map((run, n) => runloom.runs.signal(run.id, 'go', { n: 1000 * n })));
    // Each parked run was read back from the store exactly once to take its signal (on a store
    // with leases the claim that takes its lease brings its state along: no separate read).
    expect(runloom.calls.loadRun - loads).toBe(kind === 'memory' ? PARKED : 0);

    const done = await Promise.all(runs.map((run) => runloom.runs.wait(run.id)));
    done.forEach((run, n) => {
      expect(run.status).toBe('completed');
      expect(run.vars).toEqual({ before: { n }, gate: { n: 1000 * n }, after: { n: 1001 * n } });
    });
  });

  it('a run with a step in flight stays in memory: a signal to it does not touch the store', async () => {
    const runloom = await openRunloom(kind, [hold]);
    await runloom.flows.publish(
      linearFlow('busy', [
        { id: 'hold', type: 'task', action: 'test.hold', input: {}, output: 'hold' },
        { id: 'gate', type: 'wait', signal: 'go', output: 'gate' },
      ]),
    );
    const run = await runloom.runs.start('busy', {});
    while (release.length === 0) await sleep(2);
    const loads = runloom.calls.loadRun;
    await runloom.runs.signal(run.id, 'go', { early: true }); // buffered until the wait listens
    expect(runloom.calls.loadRun).toBe(loads);

    release.shift()?.();
    const done = await runloom.runs.wait(run.id);
    expect(done.status).toBe('completed');
    expect(done.vars).toEqual({ hold: { held: true }, gate: { early: true } });
  });

  it('a run that completed here is read without the store; a failed one (it may be retried) is read from it', async () => {
    const fail = defineAction({
      name: 'test.fail',
      input: z.object({}),
      run: () => {
        throw Object.assign(new Error('no'), { code: 'NOPE' });
      },
    });
    const runloom = await openRunloom(kind, [stamp, fail]);
    await runloom.flows.publish(
      linearFlow('ok', [{ id: 'one', type: 'task', action: 'test.stamp', input: { n: 1 }, output: 'one' }]),
    );
    await runloom.flows.publish(linearFlow('ko', [{ id: 'one', type: 'task', action: 'test.fail', input: {} }]));
    const ok = await runloom.runs.start('ok', {});
    const ko = await runloom.runs.start('ko', {});
    expect((await runloom.runs.wait(ok.id)).status).toBe('completed');
    expect((await runloom.runs.wait(ko.id)).status).toBe('failed');

    const loads = runloom.calls.loadRun;
    const completed = await runloom.runs.get(ok.id);
    expect(completed).toMatchObject({ status: 'completed', vars: { one: { n: 1 } }, output: { one: { n: 1 } } });
    expect(await runloom.runs.state(ok.id)).toEqual(await runloom.runs.state(ok.id));
    // Also on a shared store: no process can change a completed run again.
    expect(runloom.calls.loadRun - loads).toBe(0);

    const failed = await runloom.runs.get(ko.id);
    expect(failed.status).toBe('failed');
    expect(runloom.calls.loadRun - loads).toBe(1);
    // What a read hands out is a copy: changing it changes nothing for the next reader.
    const state = await runloom.runs.state(ok.id);
    (state.vars as Record<string, unknown>).one = 'changed';
    expect((await runloom.runs.state(ok.id)).vars).toEqual({ one: { n: 1 } });
  });
});
