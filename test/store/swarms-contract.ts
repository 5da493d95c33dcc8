/**
 * The `swarms` contract every store meets: versions with compare-and-set and trimming, and a
 * ledger whose moves are atomic — 1,000 concurrent reservations never hold more than the budget,
 * and after every close the balance is budget − spent exactly, as the audit derives it.
 */
import { describe, expect, it } from 'vitest';
import type { Store, SwarmRow } from '../../src/store/store.js';
import { auditLedger } from '../../src/swarm/audit.js';

let counter = 0;
const swarmRow = (over: Partial<SwarmRow> = {}): SwarmRow => ({
  id: `swarm_c${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`,
  workspace: 'ws1',
  name: 'team',
  status: 'active',
  version: 1,
  context: { goal: 'g', resources: { budget: 100 } },
  keepVersions: 3,
  createdAt: 1,
  updatedAt: 1,
  ...over,
});
const first = (row: SwarmRow) => ({ version: 1, context: row.context, change: { kind: 'created' }, at: 1 });

export function describeSwarmsContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: swarms`, () => {
    const withStore = async (fn: (store: Store) => Promise<void>) => {
      const store = await open();
      try {
        await store.init();
        await fn(store);
      } finally {
        await store.close();
      }
    };

    it('creates, scopes to the workspace, and moves versions by compare-and-set, keeping the last N', () =>
      withStore(async (store) => {
        const row = swarmRow();
        await store.swarms.create(row, first(row), 100);
        expect(await store.swarms.get(row.id, 'other')).toBeUndefined();
        expect((await store.swarms.get(row.id, 'ws1'))?.context).toEqual(row.context);
        expect((await store.swarms.list('ws1')).map((s) => s.id)).toContain(row.id);
        expect((await store.swarms.list('other')).map((s) => s.id)).not.toContain(row.id);
        for (let v = 1; v <= 5; v++) {
          const next = { version: v + 1, context: { goal: `g${v}` }, change: { kind: 'patch' }, at: v };
          expect(await store.swarms.commitVersion(row.id, v, next)).toBe(true);
          expect(await store.swarms.commitVersion(row.id, v, { ...next, context: { goal: 'late' } })).toBe(false);
        }
        expect((await store.swarms.versions(row.id)).map((v) => v.version)).toEqual([4, 5, 6]);
        expect((await store.swarms.get(row.id))?.context).toEqual({ goal: 'g5' });
        expect(await store.swarms.commitVersion(row.id, 6, { version: 7, context: {}, change: {}, at: 9 }, 40)).toBe(true);
        // A write key applies once, also after its version is trimmed away.
        const keyed = (v: number) => ({ version: v + 1, context: { goal: 'k' }, change: {}, at: 10 });
        expect(await store.swarms.commitVersion(row.id, 7, keyed(7), undefined, 'run1:n1:1:0')).toBe(true);
        expect(await store.swarms.commitVersion(row.id, 8, keyed(8), undefined, 'run1:n1:1:0')).toBe(false);
        expect(await store.swarms.findWrite(row.id, 'run1:n1:1:0')).toBe(8);
        expect((await store.swarms.get(row.id))?.version).toBe(8);
        expect((await store.swarms.accounts(row.id))[0]).toMatchObject({ kind: 'swarm', budget: 40 });
      }));

    it('reserves, settles, releases, refunds; the audit derives the same sums from the ledger', () =>
      withStore(async (store) => {
        const row = swarmRow();
        await store.swarms.create(row, first(row), 100);
        const s = store.swarms;
        const reserve = (parentId: string, accountId: string, amount: number, kind: 'run' | 'step' = 'step') =>
          s.reserve({ swarmId: row.id, parentId, accountId, kind, amount, holder: `${parentId}/w`, at: 2 });
        expect(await reserve(row.id, 'run1', 60, 'run')).toBe(true);
        expect(await reserve(row.id, 'run2', 41, 'run')).toBe(false);
        expect(await reserve('run1', 'step1', 50)).toBe(true);
        expect(await reserve('run1', 'step1', 5)).toBe(false); // the same step twice
        expect(await reserve('run1', 'step2', 11)).toBe(false);
        expect(await reserve('step1', 'deeper', 1)).toBe(false); // a step holds no children
        expect(await s.close(row.id, 'step1', 3, 20)).toBe(true);
        expect(await s.close(row.id, 'step1', 3, 20)).toBe(false);
        expect(await reserve('run1', 'step2', 30)).toBe(true);
        // The run ends with step2 still open: it is released, then the run returns what is left.
        expect(await s.close(row.id, 'run1', 4)).toBe(true);
        expect(await s.refund(row.id, 'step1', 5, 5)).toBe(true);
        expect(await s.refund(row.id, 'step1', 500, 5)).toBe(false);
        const accounts = await s.accounts(row.id);
        const root = accounts.find((a) => a.id === row.id);
        expect(root).toMatchObject({ budget: 100, held: 0, spent: 15 });
        const report = auditLedger(row.id, accounts, await s.ledger(row.id));
        expect(report).toMatchObject({ ok: true, budget: 100, spent: 15, held: 0, available: 85 });
        expect((await s.ledger(row.id)).map((e) => e.kind)).toEqual([
          'budget',
          'reserve',
          'reserve',
          'settle',
          'release',
          'reserve',
          'release',
          'release',
          'refund',
        ]);
      }));

    it('releases what a holder held (a worker taken over), leaving the run its allocation', () =>
      withStore(async (store) => {
        const row = swarmRow();
        await store.swarms.create(row, first(row), 100);
        await store.swarms.reserve({
          swarmId: row.id,
          parentId: row.id,
          accountId: 'r',
          kind: 'run',
          amount: 50,
          holder: 'r',
          at: 1,
        });
        for (const step of ['a', 'b', 'c']) {
          await store.swarms.reserve({
            swarmId: row.id,
            parentId: 'r',
            accountId: step,
            kind: 'step',
            amount: 10,
            holder: 'dead-worker',
            at: 1,
          });
        }
        expect(await store.swarms.releaseHolder('dead-worker', 2)).toBe(3);
        const run = (await store.swarms.accounts(row.id)).find((a) => a.id === 'r');
        expect(run).toMatchObject({ status: 'open', held: 0, spent: 0 });
        expect(auditLedger(row.id, await store.swarms.accounts(row.id), await store.swarms.ledger(row.id)).ok).toBe(true);
      }));

    it('1,000 concurrent reservations never hold more than the budget; after all close, balance = budget − spent', () =>
      withStore(async (store) => {
        const row = swarmRow();
        const budget = 5_000;
        await store.swarms.create(row, first(row), budget);
        await store.swarms.reserve({
          swarmId: row.id,
          parentId: row.id,
          accountId: 'run',
          kind: 'run',
          amount: budget,
          holder: 'run',
          at: 1,
        });
        const amounts = Array.from({ length: 1_000 }, (_, i) => 1 + ((i * 7) % 13));
        const granted = await Promise.all(
          amounts.map((amount, i) =>
            store.swarms.reserve({
              swarmId: row.id,
              parentId: 'run',
              accountId: `s${i}`,
              kind: 'step',
              amount,
              holder: 'w',
              at: 2,
            }),
          ),
        );
        const held = amounts.reduce((sum, a, i) => sum + (granted[i] ? a : 0), 0);
        expect(held).toBeLessThanOrEqual(budget);
        expect(held).toBeGreaterThan(budget - 13); // refused ones were refused for want of credits
        const run = (await store.swarms.accounts(row.id)).find((a) => a.id === 'run');
        expect(run?.held).toBe(held);
        // Each granted step spends part of its reservation, all at once.
        const costs = amounts.map((a, i) => (granted[i] ? Math.floor(a / 2) : 0));
        await Promise.all(
          amounts.map((_, i) => (granted[i] ? store.swarms.close(row.id, `s${i}`, 3, costs[i]) : Promise.resolve(true))),
        );
        await store.swarms.close(row.id, 'run', 4);
        const spent = costs.reduce((a, b) => a + b, 0);
        const report = auditLedger(row.id, await store.swarms.accounts(row.id), await store.swarms.ledger(row.id));
        expect(report).toMatchObject({ ok: true, budget, spent, held: 0, available: budget - spent });
      }));
  });
}
