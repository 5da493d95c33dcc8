/**
 * Retention leaves nothing of a pruned run behind, in any table of the SQL stores: counted from
 * the database's own catalogue, so a table a later migration adds is checked too. Only flows
 * (and the schema's own bookkeeping) may remain once every run is deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore, createSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { checkpoint, created, event, runState, stepRow } from './fixtures.js';

const KEPT_TABLES = new Set(['flows', 'flow_versions', 'schema_migrations']);
const T0 = 1_700_000_000_000;

/** Two ended runs, parent and child, with every kind of row a run can own; returns the cut-off. */
async function fill(store: Store): Promise<number> {
  await store.publishFlow('orders', { name: 'Orders' });
  const parent = runState({ id: 'p', status: 'completed', createdAt: T0 });
  const child = runState({ id: 'c', status: 'failed', createdAt: T0 + 1, parent: { runId: 'p', seq: 4, nodeId: 'call' } });
  await store.commit([
    created(parent, { steps: [stepRow(2)], timersSet: [{ seq: 3, fireAt: T0 + 5 }] }),
    created(child, { steps: [stepRow(2)] }),
  ]);
  await store.commit([checkpoint({ ...parent, eventSeq: 2 }, { events: [event(2)], steps: [stepRow(3)] })]);
  await store.webhookCalls.open({ tokenHash: 'c0ffee', runId: 'c', nodeId: 'call', createdAt: T0 + 2 });
  await store.webhookCalls.answer('c0ffee', { status: 'completed', output: 1 }, T0 + 3);
  return T0 + 1_000;
}

describe('retention on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runloom-retention-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no row of a pruned run in any table', async () => {
    const store = createSqliteStore({ path: join(dir, 'r.db'), durability: 'normal' });
    try {
      await store.init();
      const cut = await fill(store);
      expect((await store.deleteEndedRuns(['c', 'p'], cut)).sort()).toEqual(['c', 'p']);
      const tables = store.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .pluck()
        .all() as string[];
      expect(tables).toContain('run_log');
      const left = Object.fromEntries(
        tables.filter((t) => !KEPT_TABLES.has(t)).map((t) => [t, store.db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get()]),
      );
      expect(
        Object.values(left).every((count) => count === 0),
        JSON.stringify(left),
      ).toBe(true);
      expect(await store.getFlowVersion('orders')).toMatchObject({ version: 1 });
    } finally {
      await store.close();
    }
  });
});

const url = process.env.RUNLOOM_TEST_PG_URL;
const skipped = url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL to a PostgreSQL database to run it)';

(url ? describe : describe.skip)(`retention on PostgreSQL${skipped}`, () => {
  const schema = `runloom_ret_${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('leaves no row of a pruned run in any table, inbox and offered steps included', async () => {
    const store = createPostgresStore({ url: url as string, schema });
    try {
      await store.init();
      const cut = await fill(store);
      // What a crashed worker may leave behind for a run that has since ended.
      await store.leases?.send('p', { type: 'signal', at: T0 + 6, name: 'late' } as never, T0 + 6);
      await store.leases?.offerStep({
        runId: 'c',
        seq: 2,
        action: 'log',
        flowId: 'orders',
        flowVersion: 1,
        nodeId: 'n2',
        attempt: 1,
        input: {},
        idempotencyKey: 'c:n2:1',
      });
      expect((await store.deleteEndedRuns(['p', 'c'], cut)).sort()).toEqual(['c', 'p']);
      const { rows: tables } = await store.pool.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
        [schema],
      );
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['run_events', 'run_inbox', 'step_tasks']));
      const left: Record<string, number> = {};
      for (const { name } of tables.filter((t) => !KEPT_TABLES.has(t.name))) {
        const { rows } = await store.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}"`);
        left[name] = rows[0].n;
      }
      expect(
        Object.values(left).every((count) => count === 0),
        JSON.stringify(left),
      ).toBe(true);
    } finally {
      await store.close();
    }
  });
});
