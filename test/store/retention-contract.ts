/**
 * The retention part of the Store contract (F8.4): which runs `listEndedRuns` offers and what
 * `deleteEndedRuns` removes. Called from `describeStoreContract`, so every store runs it.
 */
import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/engine/types.js';
import type { Store } from '../../src/store/store.js';
import { checkpoint, created, event, runState, stepRow } from './fixtures.js';

const T0 = 1_700_000_000_000;
/** Fixture runs last change 10 ms after they are created (runState's updatedAt). */
const changedAt = (createdAt: number) => createdAt + 10;

export function describeRetentionContract(current: () => Store): void {
  describe('retention', () => {
    /** A run created at `createdAt` and left in `status`, with a step row, a timer and a second event. */
    const put = async (id: string, status: RunStatus, createdAt: number, parent?: { runId: string; seq: number }) => {
      const state = runState({ id, status, createdAt, ...(parent ? { parent: { ...parent, nodeId: 'call' } } : {}) });
      await current().commit([created(state, { steps: [stepRow(2)], timersSet: [{ seq: 3, fireAt: createdAt + 1_000 }] })]);
      await current().commit([checkpoint({ ...state, eventSeq: 2 }, { events: [event(2)] })]);
    };
    const idsOf = (runs: readonly { id: string }[]) => runs.map((r) => r.id);

    it('offers ended runs last changed before the cut-off, oldest first, never a live one', async () => {
      await put('done-old', 'completed', T0);
      await put('failed-old', 'failed', T0 + 1);
      await put('cancelled-old', 'cancelled', T0 + 2);
      for (const [i, status] of (['running', 'waiting', 'paused', 'queued'] as const).entries())
        await put(`live-${status}`, status, T0 + 3 + i);
      await put('done-young', 'completed', T0 + 100);
      const cut = changedAt(T0 + 50);
      expect(idsOf(await current().listEndedRuns(cut, 100))).toEqual(['done-old', 'failed-old', 'cancelled-old']);
      // The cut-off is exclusive: a run last changed at it is not older than it.
      expect(idsOf(await current().listEndedRuns(changedAt(T0), 100))).toEqual([]);
      expect(idsOf(await current().listEndedRuns(changedAt(T0) + 1, 100))).toEqual(['done-old']);
    });

    it('pages with a cursor, ties on the creation time broken by id', async () => {
      for (const id of ['c', 'a', 'd', 'b']) await put(id, 'completed', T0);
      await put('e', 'completed', T0 + 1);
      const cut = changedAt(T0 + 2);
      const first = await current().listEndedRuns(cut, 2);
      expect(idsOf(first)).toEqual(['a', 'b']);
      const last = first[first.length - 1];
      const second = await current().listEndedRuns(cut, 2, { createdAt: last.createdAt, id: last.id });
      expect(idsOf(second)).toEqual(['c', 'd']);
      const third = await current().listEndedRuns(cut, 2, { createdAt: second[1].createdAt, id: second[1].id });
      expect(idsOf(third)).toEqual(['e']);
      expect(third[0]).toMatchObject({ flowId: 'orders', status: 'completed', createdAt: T0 + 1, updatedAt: changedAt(T0 + 1) });
    });

    it('keeps a child run while its parent is live, and offers it once the parent has ended', async () => {
      await put('parent', 'waiting', T0);
      await put('child', 'completed', T0 + 1, { runId: 'parent', seq: 4 });
      await put('orphan', 'completed', T0 + 2, { runId: 'gone', seq: 1 });
      const cut = changedAt(T0 + 50);
      expect(idsOf(await current().listEndedRuns(cut, 10))).toEqual(['orphan']);
      expect(await current().deleteEndedRuns(['child'], cut)).toEqual([]);
      const parent = runState({ id: 'parent', status: 'completed', createdAt: T0 });
      await current().commit([checkpoint({ ...parent, eventSeq: 3 }, { events: [event(3, 'run.completed')] })]);
      expect(idsOf(await current().listEndedRuns(cut, 10))).toEqual(['parent', 'child', 'orphan']);
    });

    it('deletes a run with its log, step rows, timers and child link, and leaves every other run whole', async () => {
      await put('old', 'completed', T0);
      await put('child', 'failed', T0 + 1, { runId: 'old', seq: 4 });
      await put('keep', 'completed', T0 + 100);
      const keepBefore = {
        state: await current().loadRun('keep'),
        events: await current().readEvents('keep'),
        steps: await current().listSteps('keep'),
      };
      const cut = changedAt(T0 + 50);
      expect((await current().deleteEndedRuns(['old', 'child'], cut)).sort()).toEqual(['child', 'old']);
      for (const id of ['old', 'child']) {
        expect(await current().loadRun(id)).toBeUndefined();
        expect(await current().readEvents(id)).toEqual([]);
        expect(await current().listSteps(id)).toEqual([]);
      }
      expect(await current().findChildRun('old', 4)).toBeUndefined();
      expect(idsOf(await current().listRuns())).toEqual(['keep']);
      expect(await current().dueTimers(Number.MAX_SAFE_INTEGER)).toEqual([{ runId: 'keep', seq: 3, fireAt: T0 + 1_100 }]);
      expect({
        state: await current().loadRun('keep'),
        events: await current().readEvents('keep'),
        steps: await current().listSteps('keep'),
      }).toEqual(keepBefore);
    });

    it('deletes only what it would still offer: not a live run, a younger one, or an unknown id', async () => {
      await put('old', 'completed', T0);
      await put('live', 'running', T0 + 1);
      await put('young', 'failed', T0 + 100);
      const cut = changedAt(T0 + 50);
      expect(await current().deleteEndedRuns(['live', 'young', 'nope', 'old'], cut)).toEqual(['old']);
      expect(await current().deleteEndedRuns([], cut)).toEqual([]);
      expect(idsOf(await current().listRuns({ order: 'oldest' }))).toEqual(['live', 'young']);
      expect((await current().readEvents('live')).map((e) => e.seq)).toEqual([1, 2]);
    });
  });
}
