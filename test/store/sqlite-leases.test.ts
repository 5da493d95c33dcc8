/**
 * Leases on one SQLite file shared by two connections, as two processes share it (issue 12,
 * migration 005): the Leases contract, and what only SQLite does — a claim hands over the log
 * written after the run's last snapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore, type SqliteStore } from '../../src/store/index.js';
import type { Checkpoint, Leases } from '../../src/store/store.js';
import { checkpoint, created, event, runState } from './fixtures.js';
import { describeLeasesContract } from './leases-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-sqlite-leases-'));
let files = 0;
const open: SqliteStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two stores (two connections, as two processes have) on one fresh file. */
async function twoProcesses(leaseMs = 10_000): Promise<[SqliteStore, SqliteStore]> {
  const path = join(dir, `leases-${files++}.db`);
  const a = createSqliteStore({ path, durability: 'normal', leaseMs });
  const b = createSqliteStore({ path, durability: 'normal', leaseMs });
  open.push(a, b);
  await a.init();
  await b.init();
  return [a, b];
}

const fenced = (cp: Checkpoint, owner: string, fence: number): Checkpoint => ({ ...cp, lease: { owner, fence } });
const leasesOf = (store: SqliteStore) => store.leases as Leases;
/** Ends a lease now, as time passing would (a renewal loop racing a short lease is flaky on a busy host). */
const expire = (store: SqliteStore, id: string) =>
  store.db.prepare('UPDATE runs SET lease_until = ? WHERE id = ?').run(Date.now() - 1, id);

describeLeasesContract('SQLite, two connections on one file', () => ({
  twoProcesses,
  expire: async (store, id) => void expire(store as SqliteStore, id),
  ownerOf: async (store, id) =>
    (store as SqliteStore).db.prepare('SELECT lease_owner FROM runs WHERE id = ?').pluck().get(id) as string | null,
}));

describe('leases (SQLite only)', () => {
  it('hands the log written after the last snapshot to the claimer (its state is folded from both)', async () => {
    const [a, b] = await twoProcesses();
    const s = runState({ id: 'r' });
    await a.commit([fenced(created(s, { active: true }), 'A', 1)]);
    await a.commit([fenced(checkpoint({ ...s, eventSeq: 2 }, { events: [event(2)], snapshot: false }), 'A', 1)]);
    expire(a, 'r');
    const [claimed] = await leasesOf(b).claim('B', 10);
    expect(claimed.state.eventSeq).toBe(1);
    expect(claimed.tail?.map((e) => e.seq)).toEqual([2]);
  });
});
