/**
 * The Store contract: one suite, run against every implementation on the real thing (a real
 * SQLite file, the real memory store, a real PostgreSQL database). Implementation-specific behaviour (files, pragmas,
 * migrations) lives in that implementation's own test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/engine/types.js';
import type { Checkpoint, Store } from '../../src/store/store.js';
import { checkpoint, created, event, type RunFixture, runState, stepRow } from './fixtures.js';
import { describePromptsContract } from './prompts-contract.js';
import { describeRetentionContract } from './retention-contract.js';

/** What an implementation can do beyond the interface; a case needing what is absent is skipped, saying why. */
export interface StoreContractOptions {
  /**
   * Opens a new store on the data of `closed` (already closed by the suite): the persistence case
   * runs only with it. Absent for the memory store (nothing persists).
   */
  readonly reopen?: (closed: Store) => Promise<Store>;
}

export function describeStoreContract(name: string, makeStore: () => Promise<Store>, options: StoreContractOptions = {}): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await store.init();
    });
    afterEach(async () => {
      await store.close();
    });

    /** Creates a run and returns its committed state. */
    const createRun = async (id: string, extra: Omit<RunFixture, 'id'> = {}) => {
      const cp = created(runState({ id, ...extra }));
      await store.commit([cp]);
      return cp.state;
    };

    const reopen = options.reopen;
    (reopen ? it : it.skip)(
      reopen
        ? 'keeps everything across close and reopen'
        : 'keeps everything across close and reopen (skipped: the store is not persistent)',
      async () => {
        await store.saveDraft('orders', { name: 'Orders', draft: true });
        const version = await store.publishFlow('orders', { name: 'Orders' });
        const cp = created(runState({ id: 'r', status: 'waiting' }), {
          steps: [stepRow(2)],
          timersSet: [{ seq: 3, fireAt: 5000 }],
        });
        const child = created(runState({ id: 'c', parent: { runId: 'r', seq: 4, nodeId: 'call' } }));
        await store.commit([cp, child]);
        await store.close();
        store = await (reopen as NonNullable<typeof reopen>)(store);
        await store.init();
        expect(await store.getDraft('orders')).toEqual({ name: 'Orders', draft: true });
        expect(await store.getFlowVersion('orders')).toEqual(version);
        expect(await store.loadRun('r')).toEqual(cp.state);
        expect(await store.readEvents('r')).toEqual(cp.events);
        expect(await store.listSteps('r')).toEqual([{ runId: 'r', ...stepRow(2) }]);
        expect(await store.dueTimers(5000)).toEqual([{ runId: 'r', seq: 3, fireAt: 5000 }]);
        expect(await store.findChildRun('r', 4)).toBe('c');
        expect(await store.listActiveRunIds()).toEqual(['c']);
        // Appending continues where the log stopped.
        await store.commit([checkpoint({ ...cp.state, eventSeq: 2 }, { events: [event(2)] })]);
        expect((await store.readEvents('r', 1)).map((e) => e.seq)).toEqual([2]);
      },
    );

    describeRetentionContract(() => store);
    describePromptsContract(() => store);

    it('init is idempotent', async () => {
      await store.init();
      await store.init();
      expect(await store.listFlows()).toEqual([]);
    });

    describe('flows', () => {
      it('saves, replaces and returns drafts', async () => {
        expect(await store.getDraft('orders')).toBeUndefined();
        await store.saveDraft('orders', { name: 'Orders', nodes: [{ id: 'a' }] });
        await store.saveDraft('orders', { name: 'Orders v2', nodes: [{ id: 'a' }, { id: 'b' }] });
        expect(await store.getDraft('orders')).toEqual({ name: 'Orders v2', nodes: [{ id: 'a' }, { id: 'b' }] });
      });

      it('hands out copies of drafts: editing one does not change the stored draft', async () => {
        const draft = { nodes: [{ id: 'a' }] };
        await store.saveDraft('orders', draft);
        draft.nodes.push({ id: 'edited-after-save' });
        const read = (await store.getDraft('orders'))!;
        (read.nodes as unknown[]).push({ id: 'edited-after-read' });
        expect(await store.getDraft('orders')).toEqual({ nodes: [{ id: 'a' }] });
      });

      it('publishes numbered versions and returns the latest when no version is asked', async () => {
        const v1 = await store.publishFlow('orders', { name: 'Orders', nodes: ['a'] });
        const v2 = await store.publishFlow('orders', { name: 'Orders', nodes: ['a', 'b'] });
        const other = await store.publishFlow('billing', { nodes: ['x'] });
        expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
        expect(v1).toMatchObject({ flowId: 'orders', definition: { name: 'Orders', nodes: ['a'] } });
        expect(typeof v1.createdAt).toBe('number');
        expect(await store.getFlowVersion('orders')).toEqual(v2);
        expect(await store.getFlowVersion('orders', 1)).toEqual(v1);
        expect(await store.getFlowVersion('orders', 3)).toBeUndefined();
        expect(await store.getFlowVersion('missing')).toBeUndefined();
      });

      it('keeps published versions immutable', async () => {
        const definition = { nodes: ['a'] };
        const published = await store.publishFlow('orders', definition);
        definition.nodes.push('changed-after-publish');
        (published.definition.nodes as string[]).push('changed-on-the-record');
        const read = (await store.getFlowVersion('orders', 1))!;
        (read.definition.nodes as string[]).push('changed-after-read');
        await store.saveDraft('orders', { nodes: ['draft'] });
        expect((await store.getFlowVersion('orders', 1))!.definition).toEqual({ nodes: ['a'] });
      });

      it('gives distinct versions to concurrent publishes', async () => {
        const records = await Promise.all([1, 2, 3, 4, 5].map((n) => store.publishFlow('orders', { n })));
        expect(records.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5]);
        expect((await store.getFlowVersion('orders'))!.version).toBe(5);
      });

      it('lists flows with draft and latest version', async () => {
        await store.saveDraft('drafty', { name: 'Only a draft' });
        await store.publishFlow('orders', { name: 'Orders' });
        await store.publishFlow('orders', { name: 'Orders' });
        const flows = await store.listFlows();
        expect(flows.map((f) => f.flowId)).toEqual(['drafty', 'orders']);
        expect(flows[0]).toMatchObject({ flowId: 'drafty', name: 'Only a draft', hasDraft: true });
        expect(flows[0].latestVersion).toBeUndefined();
        expect(flows[1]).toMatchObject({ flowId: 'orders', name: 'Orders', hasDraft: false, latestVersion: 2 });
        expect(typeof flows[1].updatedAt).toBe('number');
      });
    });

    describe('commit and runs', () => {
      it('reloads exactly the committed state', async () => {
        const state = await createRun('r1', { vars: { nested: { list: [1, 'two', null, { deep: true }] }, empty: {} } });
        expect(await store.loadRun('r1')).toEqual(state);
        const next = {
          ...state,
          status: 'waiting' as const,
          reason: 'waiting_for_signal' as const,
          eventSeq: 2,
          updatedAt: state.updatedAt + 1,
        };
        await store.commit([checkpoint(next, { events: [event(2, 'wait.started')] })]);
        expect(await store.loadRun('r1')).toEqual(next);
        expect(await store.loadRun('missing')).toBeUndefined();
      });

      it('commits several runs in one call', async () => {
        await store.commit([created(runState({ id: 'a' })), created(runState({ id: 'b' })), created(runState({ id: 'c' }))]);
        for (const id of ['a', 'b', 'c']) expect((await store.loadRun(id))?.meta.id).toBe(id);
        expect(await store.readEvents('b')).toHaveLength(1);
      });

      it('accepts a run created and advanced within one batch', async () => {
        const first = created(runState({ id: 'a' }));
        const second = checkpoint({ ...first.state, eventSeq: 2, status: 'completed' }, { events: [event(2, 'run.completed')] });
        await store.commit([first, second]);
        expect((await store.loadRun('a'))?.status).toBe('completed');
        expect((await store.readEvents('a')).map((e) => e.seq)).toEqual([1, 2]);
      });

      it('is all or nothing: a duplicate event seq rolls back the other runs of the batch', async () => {
        const a = await createRun('a');
        const b = await createRun('b');
        const aNext = checkpoint(
          { ...a, eventSeq: 3, updatedAt: a.updatedAt + 5 },
          { events: [event(2), event(3)], steps: [stepRow(3)], timersSet: [{ seq: 9, fireAt: 10 }] },
        );
        const fresh = created(runState({ id: 'c' }));
        const bDuplicate = checkpoint({ ...b, eventSeq: 2 }, { events: [event(1, 'again')] });
        await expect(store.commit([aNext, fresh, bDuplicate])).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect(await store.loadRun('a')).toEqual(a);
        expect(await store.readEvents('a')).toHaveLength(1);
        expect(await store.listSteps('a')).toEqual([]);
        expect(await store.dueTimers(Number.MAX_SAFE_INTEGER)).toEqual([]);
        expect(await store.loadRun('c')).toBeUndefined();
        expect(await store.readEvents('b')).toEqual([created(runState({ id: 'b' })).events[0]]);
        // The store is still usable after the rollback.
        await store.commit([aNext]);
        expect((await store.loadRun('a'))?.eventSeq).toBe(3);
      });

      it('refuses duplicate event seqs inside one checkpoint', async () => {
        const cp = created(runState({ id: 'a' }), { events: [event(1), event(1)] });
        await expect(store.commit([cp])).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect(await store.loadRun('a')).toBeUndefined();
      });

      it('refuses to create a run twice', async () => {
        const state = await createRun('a');
        const again = created({ ...state, status: 'failed' }, { events: [event(7)] });
        await expect(store.commit([again])).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
        expect(await store.loadRun('a')).toEqual(state);
        await expect(store.commit([created(runState({ id: 'x' })), created(runState({ id: 'x' }))])).rejects.toMatchObject({
          code: 'STORE_CONFLICT',
        });
        expect(await store.loadRun('x')).toBeUndefined();
      });

      it('refuses to update a run that was never created', async () => {
        await createRun('a');
        const ghost = checkpoint(runState({ id: 'ghost' }), { events: [event(1)] });
        const aNext = checkpoint(runState({ id: 'a', status: 'completed', eventSeq: 2 }), { events: [event(2)] });
        await expect(store.commit([aNext, ghost])).rejects.toMatchObject({ code: 'STORE_RUN_MISSING' });
        expect((await store.loadRun('a'))?.status).toBe('running');
        expect(await store.loadRun('ghost')).toBeUndefined();
      });

      it('ignores an empty batch', async () => {
        await store.commit([]);
        expect(await store.listRuns()).toEqual([]);
      });

      it('follows status changes in summaries and active runs', async () => {
        const s = await createRun('a');
        await createRun('q', { status: 'queued', createdAt: 1_700_000_000_100 });
        await createRun('done', { status: 'completed' });
        expect(await store.listActiveRunIds()).toEqual(['a', 'q']);
        await store.commit([
          checkpoint({ ...s, status: 'waiting', reason: 'waiting_for_timer', eventSeq: 2 }, { events: [event(2)] }),
        ]);
        expect(await store.listActiveRunIds()).toEqual(['q']);
        expect((await store.listRuns({ status: ['waiting'] })).map((r) => [r.id, r.reason])).toEqual([
          ['a', 'waiting_for_timer'],
        ]);
        await store.commit([checkpoint({ ...s, status: 'running', reason: 'resumed', eventSeq: 3 }, { events: [event(3)] })]);
        expect(await store.listActiveRunIds()).toEqual(['a', 'q']);
        expect((await store.listRuns({ status: ['running'] }))[0]).toMatchObject({ id: 'a', reason: 'resumed' });
      });

      it('lists as active the runs whose last checkpoint says so, whatever their status', async () => {
        const s = await createRun('parent');
        // Parked on a child run (still in flight): a process must drive it on restart.
        await store.commit([
          checkpoint(
            { ...s, status: 'waiting', reason: 'waiting_for_signal', eventSeq: 2 },
            { events: [event(2)], active: true },
          ),
        ]);
        expect(await store.listActiveRunIds()).toEqual(['parent']);
        await store.commit([
          checkpoint(
            { ...s, status: 'waiting', reason: 'waiting_for_signal', eventSeq: 3 },
            { events: [event(3)], active: false },
          ),
        ]);
        expect(await store.listActiveRunIds()).toEqual([]);
        expect((await store.loadRun('parent'))?.eventSeq).toBe(3);
      });

      it('lists runs by status, flow and parent, newest first unless asked otherwise', async () => {
        const t = 1_700_000_000_000;
        await createRun('r1', { flowId: 'orders', createdAt: t + 1 });
        await createRun('r2', { flowId: 'orders', status: 'completed', createdAt: t + 2 });
        await createRun('r3', { flowId: 'billing', status: 'failed', createdAt: t + 3 });
        await createRun('c1', { flowId: 'sub', createdAt: t + 4, parent: { runId: 'r1', seq: 5, nodeId: 'call' } });
        const ids = (runs: { id: string }[]) => runs.map((r) => r.id);
        expect(ids(await store.listRuns())).toEqual(['c1', 'r3', 'r2', 'r1']);
        expect(ids(await store.listRuns({ order: 'oldest', limit: 2 }))).toEqual(['r1', 'r2']);
        expect(ids(await store.listRuns({ flowId: 'orders' }))).toEqual(['r2', 'r1']);
        expect(ids(await store.listRuns({ status: ['completed', 'failed'] }))).toEqual(['r3', 'r2']);
        expect(ids(await store.listRuns({ status: [] }))).toEqual([]);
        expect(ids(await store.listRuns({ status: ['running'], limit: Number.MAX_SAFE_INTEGER }))).toEqual(['c1', 'r1']);
        expect(ids(await store.listRuns({ parentRunId: 'r1' }))).toEqual(['c1']);
        expect((await store.listRuns({ flowId: 'sub' }))[0]).toEqual({
          id: 'c1',
          flowId: 'sub',
          flowVersion: 1,
          status: 'running',
          reason: 'started',
          parentRunId: 'r1',
          createdAt: t + 4,
          updatedAt: t + 14,
        });
        expect((await store.listRuns({ flowId: 'orders' }))[0].parentRunId).toBeUndefined();
      });

      it("lists a workspace's runs (its flow keys), by creation time, a page after a cursor", async () => {
        const t = 1_700_000_000_000;
        await createRun('d1', { flowId: 'orders', createdAt: t + 1 });
        await createRun('a1', { flowId: 'acme/orders', createdAt: t + 2 });
        await createRun('a2', { flowId: 'acme/billing', createdAt: t + 3 });
        await createRun('a3', { flowId: 'acme/orders', createdAt: t + 3 });
        await createRun('x1', { flowId: 'acmex/orders', createdAt: t + 4 });
        const ids = (runs: { id: string }[]) => runs.map((r) => r.id);
        expect(ids(await store.listRuns({ workspace: 'default' }))).toEqual(['d1']);
        expect(ids(await store.listRuns({ workspace: 'acme' }))).toEqual(['a3', 'a2', 'a1']);
        expect(ids(await store.listRuns({ workspace: 'acme', flowId: 'acme/orders' }))).toEqual(['a3', 'a1']);
        expect(ids(await store.listRuns({ workspace: 'nobody' }))).toEqual([]);
        expect(ids(await store.listRuns({ createdFrom: t + 2, createdBefore: t + 4 }))).toEqual(['a3', 'a2', 'a1']);
        const page1 = await store.listRuns({ workspace: 'acme', limit: 2 });
        expect(ids(page1)).toEqual(['a3', 'a2']);
        const last = page1[1];
        expect(
          ids(await store.listRuns({ workspace: 'acme', limit: 2, cursor: { createdAt: last.createdAt, id: last.id } })),
        ).toEqual(['a1']);
        const oldest = await store.listRuns({ order: 'oldest', limit: 2 });
        expect(ids(oldest)).toEqual(['d1', 'a1']);
        const next = { createdAt: oldest[1].createdAt, id: oldest[1].id };
        expect(ids(await store.listRuns({ order: 'oldest', cursor: next }))).toEqual(['a2', 'a3', 'x1']);
      });

      it('finds a child run by (parent, seq)', async () => {
        await createRun('parent');
        await createRun('child', { parent: { runId: 'parent', seq: 7, nodeId: 'call' } });
        expect(await store.findChildRun('parent', 7)).toBe('child');
        expect(await store.findChildRun('parent', 8)).toBeUndefined();
        expect(await store.findChildRun('child', 7)).toBeUndefined();
      });
    });

    describe('api keys', () => {
      const row = (id: string, workspace: string, hash: string) => ({ id, workspace, name: `key ${id}`, hash, createdAt: 1000 });
      it('finds a key by hash, lists per workspace, revokes once and only in its workspace', async () => {
        await store.apiKeys.insert(row('k1', 'acme', 'h1'));
        await store.apiKeys.insert({ ...row('k2', 'beta', 'h2'), createdAt: 2000 });
        expect(await store.apiKeys.byHash('h1')).toEqual(row('k1', 'acme', 'h1'));
        expect(await store.apiKeys.byHash('nope')).toBeUndefined();
        expect((await store.apiKeys.list()).map((k) => k.id)).toEqual(['k1', 'k2']);
        expect((await store.apiKeys.list('beta')).map((k) => k.id)).toEqual(['k2']);
        expect(await store.apiKeys.revoke('beta', 'k1', 3000)).toBe(false);
        expect(await store.apiKeys.revoke('acme', 'k1', 3000)).toBe(true);
        expect(await store.apiKeys.revoke('acme', 'k1', 4000)).toBe(false);
        expect((await store.apiKeys.byHash('h1'))?.revokedAt).toBe(3000);
      });
      it('refuses a second key with the same id or hash', async () => {
        await store.apiKeys.insert(row('k1', 'acme', 'h1'));
        await expect(store.apiKeys.insert(row('k1', 'acme', 'h9'))).rejects.toThrow();
        await expect(store.apiKeys.insert(row('k9', 'acme', 'h1'))).rejects.toThrow();
        expect((await store.apiKeys.list()).length).toBe(1);
      });
    });

    describe('events', () => {
      const log: RunEvent[] = [
        event(1, 'run.started', { data: { input: 1 } }),
        event(2, 'step.started', { nodeId: 'fetch', token: 1 }),
        event(3, 'step.completed', { nodeId: 'fetch', token: 0, data: null }),
        event(4, 'branch.forked', { data: [1, 2] }),
        event(5, 'run.completed', { data: 'done' }),
      ];

      beforeEach(async () => {
        const state = runState({ id: 'r' });
        await store.commit([checkpoint({ ...state, eventSeq: 2 }, { created: true, events: log.slice(0, 2) })]);
        await store.commit([checkpoint({ ...state, eventSeq: 5 }, { events: log.slice(2) })]);
      });

      it('reads the whole log in order, optional fields as written', async () => {
        expect(await store.readEvents('r')).toEqual(log);
        const [, started, completed] = await store.readEvents('r');
        expect(completed.data).toBeNull();
        expect('data' in started).toBe(false);
        expect(completed.token).toBe(0);
      });

      it('reads from any seq, with a limit', async () => {
        expect((await store.readEvents('r', 2)).map((e) => e.seq)).toEqual([3, 4, 5]);
        expect((await store.readEvents('r', 1, 2)).map((e) => e.seq)).toEqual([2, 3]);
        expect((await store.readEvents('r', 1, 0)).map((e) => e.seq)).toEqual([]);
        // A negative limit is no limit, in every store.
        expect((await store.readEvents('r', 1, -1)).map((e) => e.seq)).toEqual([2, 3, 4, 5]);
        expect(await store.readEvents('r', 5)).toEqual([]);
        expect(await store.readEvents('unknown')).toEqual([]);
      });

      it('keeps each run’s log apart', async () => {
        await createRun('other');
        expect((await store.readEvents('other')).map((e) => e.type)).toEqual(['run.started']);
        expect(await store.readEvents('r')).toHaveLength(5);
      });
    });

    describe('steps', () => {
      it('lists step rows by seq with every field', async () => {
        const state = await createRun('r');
        const failed = stepRow(4, {
          status: 'failed',
          output: undefined,
          error: { code: 'HTTP_500', message: 'boom', retryable: true, details: { url: 'x' } },
          item: 2,
          attempt: 3,
          branch: '0.1',
        });
        await store.commit([checkpoint({ ...state, eventSeq: 2 }, { events: [event(2)], steps: [failed, stepRow(2)] })]);
        await store.commit([
          checkpoint(
            { ...state, eventSeq: 3 },
            { events: [event(3)], steps: [stepRow(3, { status: 'cancelled', input: undefined, output: undefined })] },
          ),
        ]);
        const rows = await store.listSteps('r');
        expect(rows.map((s) => s.seq)).toEqual([2, 3, 4]);
        expect(rows[0]).toEqual({ runId: 'r', ...stepRow(2) });
        expect(rows[1]).toEqual({ runId: 'r', ...stepRow(3, { status: 'cancelled', input: undefined, output: undefined }) });
        expect(rows[2]).toEqual({ runId: 'r', ...failed });
        expect(await store.listSteps('unknown')).toEqual([]);
      });

      it('overwrites a step row written again under the same seq (re-execution after a crash)', async () => {
        const state = await createRun('r');
        await store.commit([
          checkpoint({ ...state, eventSeq: 2 }, { events: [event(2)], steps: [stepRow(2, { status: 'failed', attempt: 1 })] }),
        ]);
        await store.commit([checkpoint({ ...state, eventSeq: 3 }, { events: [event(3)], steps: [stepRow(2, { attempt: 2 })] })]);
        expect(await store.listSteps('r')).toEqual([{ runId: 'r', ...stepRow(2, { attempt: 2 }) }]);
      });
    });

    describe('timers', () => {
      const withTimers = (state: ReturnType<typeof runState>, seq: number, extra: Partial<Checkpoint>) =>
        checkpoint({ ...state, eventSeq: seq }, { events: [event(seq)], ...extra });

      it('returns due timers earliest first, up to a limit', async () => {
        const a = await createRun('a');
        const b = await createRun('b');
        await store.commit([
          withTimers(a, 2, {
            timersSet: [
              { seq: 5, fireAt: 3000 },
              { seq: 6, fireAt: 1000 },
            ],
          }),
          withTimers(b, 2, {
            timersSet: [
              { seq: 1, fireAt: 2000 },
              { seq: 2, fireAt: 9000 },
            ],
          }),
        ]);
        expect(await store.dueTimers(3000)).toEqual([
          { runId: 'a', seq: 6, fireAt: 1000 },
          { runId: 'b', seq: 1, fireAt: 2000 },
          { runId: 'a', seq: 5, fireAt: 3000 },
        ]);
        expect(await store.dueTimers(2999, 1)).toEqual([{ runId: 'a', seq: 6, fireAt: 1000 }]);
        // How the runtime asks for every timer on start-up.
        expect(await store.dueTimers(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toHaveLength(4);
        expect(await store.dueTimers(999)).toEqual([]);
        expect(await store.nextTimerAt()).toBe(1000);
      });

      it('clears timers, and a timer set and cleared in one checkpoint is gone', async () => {
        const a = await createRun('a');
        expect(await store.nextTimerAt()).toBeUndefined();
        await store.commit([
          withTimers(a, 2, {
            timersSet: [
              { seq: 5, fireAt: 1000 },
              { seq: 6, fireAt: 2000 },
            ],
          }),
        ]);
        await store.commit([
          withTimers(a, 3, {
            timersCleared: [5],
            timersSet: [
              { seq: 7, fireAt: 3000 },
              { seq: 8, fireAt: 500 },
            ],
          }),
        ]);
        await store.commit([withTimers(a, 4, { timersSet: [{ seq: 9, fireAt: 100 }], timersCleared: [8, 9, 42] })]);
        expect(await store.dueTimers(Number.MAX_SAFE_INTEGER)).toEqual([
          { runId: 'a', seq: 6, fireAt: 2000 },
          { runId: 'a', seq: 7, fireAt: 3000 },
        ]);
        expect(await store.nextTimerAt()).toBe(2000);
        await store.commit([withTimers(a, 5, { timersCleared: [6, 7] })]);
        expect(await store.nextTimerAt()).toBeUndefined();
      });

      it('moves a timer set again under the same seq', async () => {
        const a = await createRun('a');
        await store.commit([withTimers(a, 2, { timersSet: [{ seq: 5, fireAt: 1000 }] })]);
        await store.commit([withTimers(a, 3, { timersSet: [{ seq: 5, fireAt: 4000 }] })]);
        expect(await store.dueTimers(Number.MAX_SAFE_INTEGER)).toEqual([{ runId: 'a', seq: 5, fireAt: 4000 }]);
      });
    });
  });
}
