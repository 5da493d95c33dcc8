/**
 * The journeys records of the Store seam (migration 009), one contract for every store: memory,
 * SQLite (a temp file) and PostgreSQL (a fresh schema, dropped after; needs RUNLOOM_TEST_PG_URL).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createPostgresStore, createSqliteStore } from '../../src/store/index.js';
import type { ArrivalRow, EntityRow, EntityWrite } from '../../src/store/journey-records.js';
import type { Store } from '../../src/store/store.js';
import { created, runState } from './fixtures.js';

const url = process.env.RUNLOOM_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'runloom-journeys-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

const stores: [string, (() => Store) | undefined][] = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore({ path: join(dir, `${randomBytes(4).toString('hex')}.db`), durability: 'normal' })],
  [
    'postgres',
    url
      ? () => {
          const schema = `runloom_jt_${randomBytes(6).toString('hex')}`;
          schemas.push(schema);
          return createPostgresStore({ url, schema });
        }
      : undefined,
  ],
];

const entity = (over: Partial<EntityRow> = {}): EntityRow => ({
  workspace: 'w1',
  id: 'ent_1',
  journeyId: 'sales',
  email: 'ada@example.com',
  name: 'Ada',
  attributes: { score: 80, tags: ['a'] },
  metadata: {},
  nodeId: 'lead',
  status: 'active',
  version: 1,
  lastSeq: 1,
  createdAt: 1000,
  updatedAt: 1000,
  ...over,
});

const arrival = (over: Partial<ArrivalRow> = {}): ArrivalRow => ({
  id: 'arr_1',
  workspace: 'w1',
  journeyId: 'sales',
  entityId: 'ent_1',
  nodeId: 'lead',
  runId: 'run_j1',
  flowId: 'enrich',
  input: { entity: { email: 'ada@example.com' } },
  state: 'open',
  createdAt: 1000,
  ...over,
});

const first = (over: Partial<EntityRow> = {}): EntityWrite => ({
  entity: entity(over),
  events: [{ entityId: over.id ?? 'ent_1', seq: 1, type: 'arrived', at: 1000, data: { nodeId: 'lead' } }],
  arrival: arrival({ entityId: over.id ?? 'ent_1', id: `arr_${over.id ?? 'ent_1'}`, runId: `run_j${over.id ?? 'ent_1'}` }),
});

for (const [name, open] of stores) {
  describe.skipIf(!open)(`journey records: ${name}${open ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL)'}`, () => {
    let store: Store;
    const fresh = async () => {
      store = open!();
      await store.init();
      return store.journeys;
    };
    afterEach(() => store?.close());

    it('writes an entity, its events and its arrival together; upsert by email is refused as a second insert', async () => {
      const j = await fresh();
      expect(await j.write(first())).toBe(true);
      expect(await j.write(first({ id: 'ent_2' }))).toBe(false); // same email in the journey
      expect(await j.entity('w1', 'ent_2')).toBeUndefined();
      expect(await j.entity('w1', 'ent_1')).toEqual(entity({ arrivalId: undefined }));
      expect(await j.entity('w2', 'ent_1')).toBeUndefined(); // another workspace sees nothing
      expect(await j.entityByEmail('w1', 'sales', 'ada@example.com')).toMatchObject({ id: 'ent_1' });
      expect(await j.events('w1', 'ent_1')).toEqual([
        { entityId: 'ent_1', seq: 1, type: 'arrived', at: 1000, data: { nodeId: 'lead' } },
      ]);
      expect(await j.events('w2', 'ent_1')).toEqual([]);
      expect(await j.board('w1', 'sales')).toEqual([{ nodeId: 'lead', status: 'active', count: 1 }]);
    });

    it('a write on a stale version changes nothing; a fresh one moves counts, settles and makes arrivals', async () => {
      const j = await fresh();
      await j.write(first());
      const stale: EntityWrite = {
        entity: entity({ nodeId: 'won', version: 2, lastSeq: 2 }),
        before: { version: 7, nodeId: 'lead', status: 'active' },
        events: [{ entityId: 'ent_1', seq: 2, type: 'moved', at: 2000, data: {} }],
        settle: { id: 'arr_ent_1', state: 'done' },
      };
      expect(await j.write(stale)).toBe(false);
      expect(await j.events('w1', 'ent_1')).toHaveLength(1);
      expect((await j.arrival('arr_ent_1'))?.state).toBe('open');
      const next = arrival({ id: 'arr_2', nodeId: 'won', runId: 'run_j2' });
      expect(await j.write({ ...stale, before: { version: 1, nodeId: 'lead', status: 'active' }, arrival: next })).toBe(true);
      expect((await j.arrival('arr_ent_1'))?.state).toBe('done');
      expect(await j.arrival('arr_2')).toEqual(next);
      expect(await j.board('w1', 'sales')).toEqual([{ nodeId: 'won', status: 'active', count: 1 }]);
      const done = entity({ nodeId: undefined, status: 'completed', version: 3, lastSeq: 2 });
      expect(await j.write({ entity: done, before: { version: 2, nodeId: 'won', status: 'active' }, events: [] })).toBe(true);
      expect(await j.board('w1', 'sales')).toEqual([{ nodeId: '', status: 'completed', count: 1 }]);
    });

    it('lists open arrivals whose run has not started or has ended', async () => {
      const j = await fresh();
      await j.write(first());
      await j.write(first({ id: 'ent_2', email: 'b@example.com' }));
      await j.write(first({ id: 'ent_3', email: 'c@example.com' }));
      expect((await j.pendingArrivals(10)).map((a) => [a.id, a.runStatus])).toEqual([
        ['arr_ent_1', undefined],
        ['arr_ent_2', undefined],
        ['arr_ent_3', undefined],
      ]);
      await store.commit([created(runState({ id: 'run_jent_1', status: 'running' }))]);
      await store.commit([created(runState({ id: 'run_jent_2', status: 'completed' }))]);
      expect((await j.pendingArrivals(10)).map((a) => [a.id, a.runStatus])).toEqual([
        ['arr_ent_2', 'completed'],
        ['arr_ent_3', undefined],
      ]);
      expect(await j.pendingArrivals(1)).toHaveLength(1);
    });

    it('writes side-effect arrivals with the move; lists superseded arrivals whatever their run is doing', async () => {
      const j = await fresh();
      const effects = [
        arrival({ id: 'arr_fx1', runId: 'run_jfx1', flowId: 'welcome', createdAt: 1001 }),
        arrival({ id: 'arr_fx2', runId: 'run_jfx2', flowId: 'audit', createdAt: 1002 }),
      ];
      expect(await j.write({ ...first(), effects })).toBe(true);
      expect(await j.arrival('arr_fx2')).toEqual(effects[1]);
      // Refused write (stale version): none of its side effects are written either.
      const stale = arrival({ id: 'arr_fx3', runId: 'run_jfx3' });
      expect(
        await j.write({
          entity: entity({ version: 2 }),
          before: { version: 9, nodeId: 'lead', status: 'active' },
          events: [],
          effects: [stale],
        }),
      ).toBe(false);
      expect(await j.arrival('arr_fx3')).toBeUndefined();
      // A move supersedes the entity's arrival while its run is running: still pending (to cancel).
      await store.commit([created(runState({ id: 'run_jent_1', status: 'running' }))]);
      const moved: EntityWrite = {
        entity: entity({ nodeId: 'won', version: 2, lastSeq: 2 }),
        before: { version: 1, nodeId: 'lead', status: 'active' },
        events: [{ entityId: 'ent_1', seq: 2, type: 'moved', at: 2000, data: {} }],
        settle: { id: 'arr_ent_1', state: 'superseded' },
      };
      expect(await j.write(moved)).toBe(true);
      expect((await j.pendingArrivals(10)).map((a) => [a.id, a.state, a.runStatus])).toEqual([
        ['arr_ent_1', 'superseded', 'running'],
        ['arr_fx1', 'open', undefined],
        ['arr_fx2', 'open', undefined],
      ]);
    });

    it('lists entities by node and status, paged by id', async () => {
      const j = await fresh();
      for (let i = 1; i <= 5; i++) await j.write(first({ id: `ent_${i}`, email: `e${i}@x.io`, nodeId: i % 2 ? 'lead' : 'won' }));
      expect((await j.listEntities('w1', 'sales', { nodeId: 'lead' })).map((e) => e.id)).toEqual(['ent_1', 'ent_3', 'ent_5']);
      expect((await j.listEntities('w1', 'sales', { after: 'ent_2', limit: 2 })).map((e) => e.id)).toEqual(['ent_3', 'ent_4']);
      expect(await j.listEntities('w2', 'sales')).toEqual([]);
    });

    it('hooks: slugs are one workspace’s; a delivery is remembered once until it expires', async () => {
      const j = await fresh();
      const hook = {
        slug: 'leads',
        workspace: 'w1',
        journeyId: 'sales',
        secret: 's'.repeat(20),
        config: { fields: {} },
        createdAt: 1,
      };
      expect(await j.putHook(hook)).toBe(true);
      expect(await j.putHook({ ...hook, workspace: 'w2' })).toBe(false);
      expect(await j.hook('leads')).toEqual(hook);
      expect(await j.listHooks('w2')).toEqual([]);
      expect(await j.listHooks()).toHaveLength(1);
      expect(await j.remember('leads', 'sig', 5000, 1000)).toBe(true);
      expect(await j.remember('leads', 'sig', 5000, 2000)).toBe(false);
      expect(await j.remember('leads', 'sig', 9000, 6000)).toBe(true); // expired, forgotten
      expect(await j.deleteHook('w2', 'leads')).toBe(false);
      expect(await j.deleteHook('w1', 'leads')).toBe(true);
    });

    it('journeys keep their mappings per workspace', async () => {
      const j = await fresh();
      const row = {
        workspace: 'w1',
        id: 'sales',
        mappings: [{ nodeId: 'lead', flowId: 'enrich', version: 2, input: { e: '=entity.email' } }],
        updatedAt: 5,
      };
      await j.putJourney(row);
      await j.putJourney({ ...row, mappings: [], updatedAt: 6 });
      expect(await j.getJourney('w1', 'sales')).toEqual({ ...row, mappings: [], updatedAt: 6 });
      expect(await j.getJourney('w2', 'sales')).toBeUndefined();
      expect(await j.listJourneys('w1')).toHaveLength(1);
    });
  });
}
