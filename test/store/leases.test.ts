/**
 * Leases among many workers on the real PostgreSQL (F8.3): claims never overlap, a stale holder
 * can never write (fencing), renewals, releases, inboxes and due timers. Each case gets a fresh
 * schema. Needs RUNLOOM_TEST_PG_URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../../src/store/index.js';
import type { Checkpoint, Leases } from '../../src/store/store.js';
import { checkpoint, created, event, runState, stepRow } from './fixtures.js';

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

const leasesOf = (store: PostgresStore) => store.leases as Leases;
const parked = (id: string) => created(runState({ id, status: 'waiting' }), { active: false });
const fenced = (cp: Checkpoint, owner: string, fence: number, extra: Partial<Checkpoint> = {}): Checkpoint => ({
  ...cp,
  lease: { owner, fence },
  ...extra,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describePg(`leases (PostgreSQL)${skipped}`, () => {
  it('hands each run needing a worker to exactly one of two concurrent claimers, and skips parked runs', async () => {
    const [a, b] = await twoWorkers();
    const runs = Array.from({ length: 60 }, (_, i) => created(runState({ id: `r${i}` }), { active: true }));
    await a.commit([...runs, parked('idle')]);
    const claims = await Promise.all([
      leasesOf(a).claim('A', 25),
      leasesOf(b).claim('B', 25),
      leasesOf(a).claim('A', 25),
      leasesOf(b).claim('B', 25),
    ]);
    const ids = claims.flat().map((c) => c.state.meta.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(ids).not.toContain('idle');
    expect(claims.flat().every((c) => c.fence === 1 && !c.recovered)).toBe(true);
    expect(await leasesOf(b).claim('B', 100)).toEqual([]);
  });

  it('refuses a stale holder’s commit once another worker has claimed the run, writing nothing of the batch', async () => {
    const [a, b] = await twoWorkers(150);
    const s = runState({ id: 'r' });
    await a.commit([created(s, { active: true }), created(runState({ id: 'other' }), { active: true })]);
    const [first] = await leasesOf(a).claim('A', 1, ['r']);
    expect(first.fence).toBe(1);
    await sleep(250); // A stalls past its lease
    const [taken] = await leasesOf(b).claim('B', 1, ['r']);
    expect(taken).toMatchObject({ fence: 2, recovered: true });
    const stale = fenced(checkpoint({ ...s, eventSeq: 2 }, { events: [event(2)], steps: [stepRow(3)] }), 'A', 1);
    const innocent = checkpoint({ ...runState({ id: 'other' }), eventSeq: 2 }, { events: [event(2)] });
    await expect(a.commit([innocent, stale])).rejects.toMatchObject({ code: 'LEASE_LOST' });
    expect(await a.readEvents('r')).toHaveLength(1);
    expect(await a.readEvents('other')).toHaveLength(1);
    expect(await a.listSteps('r')).toEqual([]);
    await b.commit([fenced(checkpoint({ ...s, eventSeq: 2 }, { events: [event(2)] }), 'B', 2)]);
    expect((await b.loadRun('r'))?.eventSeq).toBe(2);
  });

  it('renews held leases, reports lost ones, and frees released ones for others at once', async () => {
    // Expiry is set in the database rather than waited for: a renewal loop racing a short lease
    // fails whenever a busy host delays one renewal past the lease (as CI's did).
    const [a, b] = await twoWorkers(60_000);
    await a.commit(['x', 'y', 'z'].map((id) => created(runState({ id }), { active: true })));
    expect((await leasesOf(a).claim('A', 10)).map((c) => c.state.meta.id).sort()).toEqual(['x', 'y', 'z']);
    const until = async () => {
      const { rows } = await a.pool.query('SELECT id, lease_until FROM runs ORDER BY id');
      return Object.fromEntries(rows.map((row) => [row.id, Number(row.lease_until)]));
    };
    const before = await until();
    await sleep(20);
    expect((await leasesOf(a).renew('A', ['x', 'y'])).sort()).toEqual(['x', 'y']);
    const after = await until();
    expect(after.x).toBeGreaterThan(before.x);
    expect(after.y).toBeGreaterThan(before.y);
    expect(after.z).toBe(before.z);
    expect(await leasesOf(b).claim('B', 10)).toEqual([]); // all three still held
    // z was not renewed: once its lease runs out, B takes it and A learns it lost it.
    await a.pool.query("UPDATE runs SET lease_until = runloom_now() - 1 WHERE id = 'z'");
    expect((await leasesOf(b).claim('B', 10)).map((c) => c.state.meta.id)).toEqual(['z']);
    expect((await leasesOf(a).renew('A', ['x', 'y', 'z'])).sort()).toEqual(['x', 'y']);
    await leasesOf(a).release('A', ['x']);
    expect((await leasesOf(b).claim('B', 10)).map((c) => c.state.meta.id)).toEqual(['x']);
  });

  it('releases with the checkpoint that parks a run, and a later fenced commit takes the lease again', async () => {
    const [a, b] = await twoWorkers();
    const s = runState({ id: 'r' });
    await a.commit([fenced(created(s, { active: true }), 'A', 1)]);
    expect(await leasesOf(b).claim('B', 1, ['r'])).toEqual([]); // created held by A
    await a.commit([
      fenced(checkpoint({ ...s, status: 'waiting', eventSeq: 2 }, { events: [event(2)] }), 'A', 1, {
        active: false,
        release: true,
      }),
    ]);
    const owner = async () => (await a.pool.query('SELECT lease_owner FROM runs WHERE id = $1', ['r'])).rows[0].lease_owner;
    expect(await owner()).toBeNull();
    await a.commit([fenced(checkpoint({ ...s, eventSeq: 3 }, { events: [event(3)] }), 'A', 1, { active: true })]);
    expect(await owner()).toBe('A');
    expect(await leasesOf(b).claim('B', 10)).toEqual([]);
  });

  it('brings a parked run back through its inbox, applied and deleted exactly once with the checkpoint', async () => {
    const [a, b] = await twoWorkers();
    await a.commit([parked('p')]);
    expect(await leasesOf(b).claim('B', 10)).toEqual([]);
    const signal = { type: 'signal.received' as const, at: 5, name: 'go', payload: { n: 1 } };
    await leasesOf(a).send('p', signal, 5);
    await leasesOf(a).send('p', { ...signal, name: 'later' }, 6);
    const [claimed] = await leasesOf(b).claim('B', 10);
    expect(claimed.inbox.map((item) => item.event)).toEqual([signal, { ...signal, name: 'later' }]);
    const [first, second] = claimed.inbox;
    const next = checkpoint({ ...claimed.state, eventSeq: 2 }, { events: [event(2)] });
    await b.commit([fenced(next, 'B', claimed.fence, { inboxDone: [first.id] })]);
    expect((await leasesOf(b).readInbox('p')).map((item) => item.id)).toEqual([second.id]);
    await leasesOf(b).discard([second.id]);
    expect(await leasesOf(b).readInbox('p')).toEqual([]);
  });

  it('makes a parked run claimable when its timer is due, not before, and hands over its timers', async () => {
    const [a, b] = await twoWorkers();
    const now = Date.now();
    await a.commit([
      created(runState({ id: 'later', status: 'waiting' }), { active: false, timersSet: [{ seq: 7, fireAt: now + 60_000 }] }),
      created(runState({ id: 'due', status: 'waiting' }), { active: false, timersSet: [{ seq: 4, fireAt: now - 1 }] }),
    ]);
    const claimed = await leasesOf(b).claim('B', 10);
    expect(claimed.map((c) => c.state.meta.id)).toEqual(['due']);
    expect(claimed[0].timers).toEqual([{ seq: 4, fireAt: now - 1 }]);
  });

  it('tells when the next timer of a run nobody holds is due, leaving held runs’ timers to their holders', async () => {
    const [a, b] = await twoWorkers();
    await a.commit([
      fenced(created(runState({ id: 'held' }), { active: true, timersSet: [{ seq: 1, fireAt: 100 }] }), 'A', 1),
      created(runState({ id: 'parked', status: 'waiting' }), { active: false, timersSet: [{ seq: 2, fireAt: 500 }] }),
    ]);
    expect(await a.nextTimerAt()).toBe(100);
    expect(await leasesOf(b).nextFreeTimerAt()).toBe(500);
  });

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
