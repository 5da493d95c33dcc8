/**
 * Leases among many workers on the real PostgreSQL (F8.3): the Leases contract (two pools on a
 * fresh schema per case, as two workers), and what only PostgreSQL records. Needs
 * RUNLOOM_TEST_PG_URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../../src/store/index.js';
import type { Checkpoint } from '../../src/store/store.js';
import { checkpoint, created, event, runState, stepRow } from './fixtures.js';
import { describeLeasesContract } from './leases-contract.js';

const url = process.env.RUNLOOM_TEST_PG_URL;
const describePg = url ? describe : describe.skip;
const skipped = url ? '' : ' (skipped: set RUNLOOM_TEST_PG_URL to a PostgreSQL database to run it)';

const schemas = new Set<string>();
const open: PostgresStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});
afterAll(async () => {
  if (!url || schemas.size === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

/** Two stores (two pools, as two worker processes would have) on one fresh schema. */
async function twoWorkers(leaseMs = 10_000): Promise<[PostgresStore, PostgresStore]> {
  const schema = `runloom_lease_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  const a = createPostgresStore({ url: url as string, schema, leaseMs });
  const b = createPostgresStore({ url: url as string, schema, leaseMs });
  open.push(a, b);
  await a.init();
  await b.init();
  return [a, b];
}

const fenced = (cp: Checkpoint, owner: string, fence: number, extra: Partial<Checkpoint> = {}): Checkpoint => ({
  ...cp,
  lease: { owner, fence },
  ...extra,
});

if (url) {
  describeLeasesContract('PostgreSQL, two pools on one schema', () => ({
    twoProcesses: () => twoWorkers(),
    async expire(store, id) {
      await (store as PostgresStore).pool.query('UPDATE runs SET lease_until = runloom_now() - 1 WHERE id = $1', [id]);
    },
    async ownerOf(store, id) {
      return (await (store as PostgresStore).pool.query('SELECT lease_owner FROM runs WHERE id = $1', [id])).rows[0].lease_owner;
    },
  }));
}

describePg(`leases (PostgreSQL only)${skipped}`, () => {
  it('counts writes of a step row and records the worker that committed it', async () => {
    const [a] = await twoWorkers();
    const s = runState({ id: 'r' });
    await a.commit([fenced(created(s, { active: true }), 'A', 1)]);
    await a.commit([fenced(checkpoint({ ...s, eventSeq: 2 }, { events: [event(2)], steps: [stepRow(3)] }), 'A', 1)]);
    const rows = async () => (await a.pool.query('SELECT worker, commits FROM steps WHERE run_id = $1', ['r'])).rows;
    expect(await rows()).toEqual([{ worker: 'A', commits: 1 }]);
    await a.commit([checkpoint({ ...s, eventSeq: 3 }, { events: [event(3)], steps: [stepRow(3)] })]);
    expect(await rows()).toEqual([{ worker: null, commits: 2 }]);
  });
});
