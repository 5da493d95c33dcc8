import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore, openStore, type SqliteStore } from '../../src/store/index.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';
import { checkpoint, created, event, runState, stepRow } from './fixtures.js';
import { describeStoreContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'runloom-store-'));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const paths = new WeakMap<object, string>();
describeStoreContract(
  'sqlite',
  async () => {
    const path = freshPath();
    const store = createSqliteStore({ path, durability: 'normal' });
    paths.set(store, path);
    return store;
  },
  // The same file opened again: nothing survives but what reached it.
  { reopen: async (closed) => createSqliteStore({ path: paths.get(closed) as string, durability: 'normal' }) },
);

describe('sqlite store', () => {
  const open: SqliteStore[] = [];
  const openAt = async (path: string, durability: 'strict' | 'normal' = 'normal') => {
    const store = createSqliteStore({ path, durability });
    open.push(store);
    await store.init();
    return store;
  };
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });

  it('applies the durability mode to the connection, in WAL mode', async () => {
    const strict = await openAt(freshPath(), 'strict');
    const normal = await openAt(freshPath(), 'normal');
    // synchronous: 1 = NORMAL, 2 = FULL (fsync at every commit).
    expect(strict.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    expect(strict.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(normal.db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(strict.capabilities).toEqual({ supportsSkipLocked: false, persistent: true });
  });

  it('creates the directory of a new database file', async () => {
    const path = join(dir, 'nested', 'deeper', 'runloom.db');
    await openAt(path);
    expect(existsSync(path)).toBe(true);
  });

  it('applies migrations once: re-opening the same file is a no-op', async () => {
    const path = freshPath();
    const first = await openAt(path);
    await first.init();
    await first.close();
    const again = await openAt(path);
    const applied = again.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    migrate(again.db);
    expect(again.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
  });

  it('refuses a database migrated by a newer Runloom', async () => {
    const path = freshPath();
    await (await openAt(path)).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'future', 0);
    raw.close();
    const store = createSqliteStore({ path, durability: 'normal' });
    open.push(store);
    await expect(store.init()).rejects.toMatchObject({ code: 'STORE_SCHEMA_NEWER' });
  });

  it('keeps everything across close and re-open', async () => {
    const path = freshPath();
    const first = await openAt(path, 'strict');
    await first.saveDraft('orders', { name: 'Orders', draft: true });
    const version = await first.publishFlow('orders', { name: 'Orders' });
    const state = runState({ id: 'r', status: 'waiting' });
    const cp = created(state, { steps: [stepRow(2)], timersSet: [{ seq: 3, fireAt: 5000 }] });
    const child = created(runState({ id: 'c', parent: { runId: 'r', seq: 4, nodeId: 'call' } }));
    await first.commit([cp, child]);
    await first.close();

    const second = await openAt(path, 'strict');
    expect(await second.getDraft('orders')).toEqual({ name: 'Orders', draft: true });
    expect(await second.getFlowVersion('orders')).toEqual(version);
    expect(await second.loadRun('r')).toEqual(cp.state);
    expect(await second.readEvents('r')).toEqual(cp.events);
    expect(await second.listSteps('r')).toEqual([{ runId: 'r', ...stepRow(2) }]);
    expect(await second.dueTimers(5000)).toEqual([{ runId: 'r', seq: 3, fireAt: 5000 }]);
    expect(await second.findChildRun('r', 4)).toBe('c');
    expect(await second.listActiveRunIds()).toEqual(['c']);
    // Appending continues where the log stopped.
    await second.commit([checkpoint({ ...cp.state, eventSeq: 2 }, { events: [event(2)] })]);
    expect((await second.readEvents('r', 1)).map((e) => e.seq)).toEqual([2]);
  });

  it('migrates on first use when init() was skipped', async () => {
    const store = createSqliteStore({ path: freshPath(), durability: 'normal' });
    open.push(store);
    expect(await store.listFlows()).toEqual([]);
  });

  it('writes an unchanged status without touching the status index, and a changed one with it', async () => {
    const store = await openAt(freshPath());
    const state = runState({ id: 'r' });
    await store.commit([created(state)]);
    await store.commit([checkpoint({ ...state, reason: 'resumed', eventSeq: 2 }, { events: [event(2)] })]);
    await store.commit([checkpoint({ ...state, status: 'paused', reason: 'user_paused', eventSeq: 3 }, { events: [event(3)] })]);
    const row = store.db.prepare('SELECT status, reason, event_seq FROM runs WHERE id = ?').get('r');
    expect(row).toEqual({ status: 'paused', reason: 'user_paused', event_seq: 3 });
    expect(store.db.prepare("SELECT id FROM runs INDEXED BY runs_status WHERE status = 'paused'").pluck().all()).toEqual(['r']);
  });

  it('leaves the run row alone on a commit without a snapshot, and still refuses a run never created', async () => {
    const store = await openAt(freshPath());
    const state = runState({ id: 'r' });
    await store.commit([created(state)]);
    await store.commit([checkpoint({ ...state, eventSeq: 2, updatedAt: 99 }, { snapshot: false, events: [event(2)] })]);
    expect(store.db.prepare('SELECT event_seq FROM runs WHERE id = ?').pluck().get('r')).toBe(1);
    expect((await store.loadRun('r'))?.eventSeq).toBe(1);
    expect((await store.readEvents('r', 1)).map((e) => e.seq)).toEqual([2]);
    const ghost = checkpoint({ ...runState({ id: 'ghost' }), eventSeq: 1 }, { snapshot: false, events: [event(1)] });
    await expect(store.commit([ghost])).rejects.toMatchObject({ code: 'STORE_RUN_MISSING' });
  });

  it('keeps step rows on the log (one page per step) and still lists rows of the steps table, the later row of a seq winning', async () => {
    const store = await openAt(freshPath());
    const state = runState({ id: 'r' });
    await store.commit([created(state)]);
    // As a database written before migration 003 has them.
    const legacy = store.db.prepare(
      `INSERT INTO steps (run_id, seq, node_id, branch, attempt, status, input, output, started_at, ended_at)
       VALUES ('r', ?, ?, '0', 1, 'completed', '{}', '1', 1, 2)`,
    );
    legacy.run(1, 'old');
    legacy.run(2, 'stale');
    await store.commit([
      checkpoint({ ...state, eventSeq: 3 }, { events: [event(2), event(3)], steps: [stepRow(2), stepRow(3)] }),
    ]);
    const carried = store.db.prepare('SELECT seq FROM run_events WHERE run_id = ? AND steps IS NOT NULL').pluck().all('r');
    expect(carried).toEqual([3]); // on the commit's last event
    expect(store.db.prepare("SELECT COUNT(*) FROM steps WHERE run_id = 'r'").pluck().get()).toBe(2);
    const rows = await store.listSteps('r');
    expect(rows.map((r) => [r.seq, r.nodeId])).toEqual([
      [1, 'old'],
      [2, 'n2'],
      [3, 'n3'],
    ]);
    expect(rows[1]).toEqual({ runId: 'r', ...stepRow(2) });
    // The log itself reads as it did: the rows it carries are not event data.
    expect(await store.readEvents('r', 1)).toEqual([event(2), event(3)]);
  });
});

describe('sqlite store checkpoints', () => {
  /** Commits `steps` one-checkpoint transactions to run `r`, as the runtime does without batching. */
  const advance = async (store: SqliteStore, steps: number) => {
    const state = runState({ id: 'r' });
    await store.commit([created(state)]);
    for (let seq = 2; seq <= steps; seq++) {
      await store.commit([checkpoint({ ...state, eventSeq: seq }, { events: [event(seq)], steps: [stepRow(seq)] })]);
    }
    return state;
  };
  const walFrames = (store: SqliteStore) => (store.db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0].log;

  it('moves checkpoints to a worker under sustained writes and keeps the log bounded', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path, durability: 'normal' });
    await store.init();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await advance(store, 10_000);
    // The worker took over: the committing connection no longer checkpoints inline...
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // ...and the writer still resets the log about every 4000 checkpoints: without that, these
    // 10,000 commits (3 pages each) would leave about 30,000 frames in it.
    expect(walFrames(store)).toBeLessThan(15_000);
    await store.close();
    // The worker closed first, so the store's own connection was the last and folded the log back.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = createSqliteStore({ path, durability: 'normal' });
    expect((await reopened.readEvents('r')).length).toBe(10_000);
    expect((await reopened.loadRun('r'))?.meta.id).toBe('r');
    await reopened.close();
  });

  it.each([
    ['asked to (checkpoints: inline)', { durability: 'normal', checkpoints: 'inline' }],
    ['durability is strict (every commit fsyncs anyway)', { durability: 'strict' }],
  ] as const)('leaves checkpoints to SQLite when %s', async (_, options) => {
    const store = createSqliteStore({ path: freshPath(), ...options });
    await advance(store, 300);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await store.close();
  });
});

describe('openStore', () => {
  it('opens SQLite from a sqlite: URL or a plain path', async () => {
    for (const url of [`sqlite:${freshPath()}`, `sqlite://${freshPath()}`, freshPath()]) {
      const store = openStore(url, { durability: 'strict' });
      await store.init();
      expect(store.capabilities.persistent).toBe(true);
      expect((store as SqliteStore).db.pragma('synchronous', { simple: true })).toBe(2);
      await store.close();
    }
  });

  it('refuses unknown schemes with a clear error', () => {
    expect(() => openStore('mysql://localhost/runloom')).toThrow(expect.objectContaining({ code: 'STORE_UNSUPPORTED' }));
  });
});
