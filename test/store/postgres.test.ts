/**
 * The PostgreSQL store against a real server: the shared contract, then what only PostgreSQL
 * has (concurrent migrations and publishes across pools, jsonb and int8 round trips).
 * Needs RUNLOOM_TEST_PG_URL (CI: postgres://postgres@127.0.0.1:5432/test); each store gets a
 * fresh schema, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPostgresStore, openStore, type PostgresStore } from '../../src/store/index.js';
import { migrate } from '../../src/store/postgres/migrate.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations/index.js';
import type { Store } from '../../src/store/store.js';
import { checkpoint, created, event, runState, stepRow } from './fixtures.js';
import { describeStoreContract } from './store-contract.js';

const url = process.env.RUNLOOM_TEST_PG_URL;
const describePg = url ? describe : describe.skip;
const skipped = url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL to a PostgreSQL database to run it)';

const schemas = new Set<string>();
const freshSchema = () => {
  const schema = `runloom_test_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
};
const storeOn = (schema: string, poolSize?: number) => createPostgresStore({ url: url as string, schema, poolSize });

afterAll(async () => {
  if (!url || schemas.size === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
});

describePg(`PostgreSQL${skipped}`, () => {
  describeStoreContract('postgres', async () => storeOn(freshSchema()), {
    // A new pool on the same schema: nothing survives but what reached the database.
    reopen: async (closed) => storeOn((closed as PostgresStore).schema),
  });

  describe('postgres store', () => {
    const open: Store[] = [];
    const track = <S extends Store>(store: S): S => {
      open.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    it('says it can claim rows without blocking and persists', () => {
      expect(track(storeOn(freshSchema())).capabilities).toEqual({ supportsSkipLocked: true, persistent: true });
    });

    it('applies migrations once, also when two stores migrate the same schema at the same time', async () => {
      const schema = freshSchema();
      const [a, b] = [track(storeOn(schema)), track(storeOn(schema))];
      await Promise.all([a.init(), b.init(), a.init()]);
      await migrate(a.pool, schema);
      const { rows } = await a.pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      const third = track(storeOn(schema));
      await third.init();
      expect(await third.listFlows()).toEqual([]);
    });

    it('refuses a schema migrated by a newer Runloom', async () => {
      const schema = freshSchema();
      const first = track(storeOn(schema));
      await first.init();
      await first.pool.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, $1, 0)', ['future']);
      await expect(track(storeOn(schema)).init()).rejects.toMatchObject({ code: 'STORE_SCHEMA_NEWER' });
    });

    it('gives versions 1 and 2 to two stores publishing the same new flow at once', async () => {
      const schema = freshSchema();
      const [a, b] = [track(storeOn(schema)), track(storeOn(schema))];
      await Promise.all([a.init(), b.init()]);
      for (let round = 0; round < 5; round++) {
        const flowId = `flow-${round}`;
        const records = await Promise.all([a.publishFlow(flowId, { by: 'a' }), b.publishFlow(flowId, { by: 'b' })]);
        expect(records.map((r) => r.version).sort()).toEqual([1, 2]);
        const { rows } = await a.pool.query('SELECT COUNT(*) AS n FROM flow_versions WHERE flow_id = $1', [flowId]);
        expect(rows[0].n).toBe(2);
        expect((await b.getFlowVersion(flowId))?.version).toBe(2);
      }
    });

    it('rolls back a whole batch when one checkpoint conflicts, leaving nothing of the others', async () => {
      const store = track(storeOn(freshSchema()));
      const a = runState({ id: 'a' });
      await store.commit([created(a)]);
      const fresh = created(runState({ id: 'b' }), { steps: [stepRow(2)], timersSet: [{ seq: 3, fireAt: 10 }] });
      const aNext = checkpoint({ ...a, eventSeq: 2, status: 'completed' }, { events: [event(2)], steps: [stepRow(2)] });
      const aAgain = created(runState({ id: 'a' }));
      await expect(store.commit([fresh, aNext, aAgain])).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
      const counts = await store.pool.query(
        `SELECT (SELECT COUNT(*) FROM runs) AS runs, (SELECT COUNT(*) FROM run_events) AS events,
                (SELECT COUNT(*) FROM steps) AS steps, (SELECT COUNT(*) FROM timers) AS timers`,
      );
      expect(counts.rows[0]).toEqual({ runs: 1, events: 1, steps: 0, timers: 0 });
      expect((await store.loadRun('a'))?.status).toBe('running');
      // The pool's connection is clean after the failed statement.
      await store.commit([aNext]);
      expect((await store.loadRun('a'))?.status).toBe('completed');
    });

    it('returns times and seqs as JS numbers, and JSON values exactly (null apart from absent)', async () => {
      const store = track(storeOn(freshSchema()));
      const big = 8_000_000_000_000; // past 2^32: a BIGINT that must not come back as a string
      const state = runState({ id: 'r', createdAt: big, vars: { n: 1.5, s: 'é"\\\n', deep: [null, { x: [] }] } });
      await store.commit([
        created(state, {
          events: [event(1, 'run.started', { at: big, data: null }), event(2, 'x', { token: 3 })],
          steps: [stepRow(2, { startedAt: big, endedAt: big + 1, input: null, output: undefined, item: 4 })],
          timersSet: [{ seq: 9, fireAt: big }],
        }),
      ]);
      const [summary] = await store.listRuns();
      expect(summary).toMatchObject({ createdAt: big, updatedAt: big + 10, flowVersion: 1 });
      const events = await store.readEvents('r');
      expect(events[0]).toEqual({ seq: 1, type: 'run.started', at: big, data: null });
      expect(events[1]).toEqual({ seq: 2, type: 'x', at: 1_700_000_000_002, token: 3 });
      const [step] = await store.listSteps('r');
      expect(step).toEqual({
        runId: 'r',
        ...stepRow(2, { startedAt: big, endedAt: big + 1, input: null, output: undefined, item: 4 }),
      });
      expect('output' in step).toBe(false);
      expect(await store.dueTimers(big)).toEqual([{ runId: 'r', seq: 9, fireAt: big }]);
      expect(await store.nextTimerAt()).toBe(big);
      expect(await store.loadRun('r')).toEqual({ ...state, eventSeq: 1 });
    });

    it('folds a batch: many checkpoints of one run write its row once, with the last state', async () => {
      const store = track(storeOn(freshSchema()));
      const s = runState({ id: 'r' });
      const batch = [created(s)];
      for (let seq = 2; seq <= 50; seq++) {
        batch.push(
          checkpoint(
            { ...s, eventSeq: seq },
            { events: [event(seq)], steps: [stepRow(seq % 5)], timersSet: [{ seq, fireAt: seq }], timersCleared: [seq - 1] },
          ),
        );
      }
      await store.commit(batch);
      expect((await store.loadRun('r'))?.eventSeq).toBe(50);
      expect(await store.readEvents('r')).toHaveLength(50);
      expect((await store.listSteps('r')).map((row) => row.seq)).toEqual([0, 1, 2, 3, 4]);
      expect(await store.dueTimers(Number.MAX_SAFE_INTEGER)).toEqual([{ runId: 'r', seq: 50, fireAt: 50 }]);
    });

    it('keeps stores on different schemas apart', async () => {
      const [a, b] = [track(storeOn(freshSchema())), track(storeOn(freshSchema()))];
      await a.commit([created(runState({ id: 'only-in-a' }))]);
      expect(await b.loadRun('only-in-a')).toBeUndefined();
      expect((await a.loadRun('only-in-a'))?.meta.id).toBe('only-in-a');
    });

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => storeOn('bad; DROP TABLE runs')).toThrow(expect.objectContaining({ code: 'STORE_INVALID' }));
    });

    it('is what openStore opens for postgres:// and postgresql:// URLs', async () => {
      for (const scheme of ['postgres', 'postgresql']) {
        const store = track(openStore((url as string).replace(/^[a-z]+:/i, `${scheme}:`)));
        expect(store.capabilities.supportsSkipLocked).toBe(true);
        expect((store as PostgresStore).schema).toBe('public');
      }
    });
  });
});
