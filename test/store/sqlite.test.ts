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
    const carried = store.db.prepare('SELECT key & 0xffffffff FROM run_log WHERE steps IS NOT NULL').pluck().all();
    expect(carried).toEqual([2]); // on the commit's one log row
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

  it('logs one row per commit and reads from any seq inside one', async () => {
    const store = await openAt(freshPath());
    const state = runState({ id: 'r' });
    await store.commit([created(state, { events: [event(1, 'run.started'), event(2), event(3)] })]);
    const withData = { ...event(5), nodeId: 'n5', token: 2, data: { output: 0, empty: '' } };
    await store.commit([checkpoint({ ...state, eventSeq: 6 }, { snapshot: false, events: [event(4), withData, event(6)] })]);
    await store.commit([checkpoint({ ...state, eventSeq: 7 }, { snapshot: false, events: [event(7)] })]);
    await store.commit([checkpoint({ ...state, eventSeq: 9 }, { events: [event(8), event(9)] })]);
    // Another run's log, between this one's rows in time, is a key range of its own.
    await store.commit([created(runState({ id: 'other' }), { events: [event(1, 'run.started'), event(2)] })]);
    const rows = store.db.prepare('SELECT key & 0xffffffff FROM run_log WHERE key >> 32 = 1 ORDER BY key').pluck().all();
    expect(rows).toEqual([1, 4, 7, 8]);
    const all = await store.readEvents('r');
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all[4]).toEqual(withData);
    for (let after = 0; after <= 9; after++) {
      expect((await store.readEvents('r', after)).map((e) => e.seq)).toEqual(all.slice(after).map((e) => e.seq));
      for (let limit = 0; limit <= 3; limit++) {
        const seqs = (await store.readEvents('r', after, limit)).map((e) => e.seq);
        expect(seqs, `after ${after}, limit ${limit}`).toEqual(all.slice(after, after + limit).map((e) => e.seq));
      }
    }
    expect((await store.readEvents('other')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.readEvents('nobody')).toEqual([]);
  });

  it('numbers runs by an INTEGER PRIMARY KEY, which VACUUM keeps, and reads every log after one', async () => {
    const path = freshPath();
    const store = await openAt(path);
    // SQLite documents that VACUUM may renumber an implicit rowid, not an INTEGER PRIMARY KEY; in
    // practice it keeps both, so the schema itself is what this test holds on to.
    const columns = store.db.prepare('SELECT name, type, pk FROM pragma_table_info(?)').all('runs');
    expect(columns).toContainEqual({ name: 'num', type: 'INTEGER', pk: 1 });
    expect(store.db.prepare('SELECT name, type, pk FROM pragma_table_info(?) WHERE pk > 0').all('run_log')).toEqual([
      { name: 'key', type: 'INTEGER', pk: 1 },
    ]);
    for (const id of ['a', 'b', 'c'])
      await store.commit([created(runState({ id }), { events: [event(1, 'run.started'), event(2)] })]);
    store.db.prepare("DELETE FROM runs WHERE id = 'a'").run();
    store.db.exec('VACUUM');
    await store.commit([checkpoint({ ...runState({ id: 'c' }), eventSeq: 3 }, { snapshot: false, events: [event(3)] })]);
    expect((await store.readEvents('b')).map((e) => e.seq)).toEqual([1, 2]);
    expect((await store.readEvents('c')).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('migrates a version 3 database: runs keep their rows, every event becomes a log row with its fields as written', async () => {
    const path = freshPath();
    const old = new Database(path);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 3),
    );
    const run = old.prepare(
      `INSERT INTO runs (id, flow_id, flow_version, status, reason, state, event_seq, created_at, updated_at, active)
       VALUES (?, 'f', 1, ?, 'r', ?, ?, 1, 2, ?)`,
    );
    const logged = old.prepare(
      'INSERT INTO run_events (run_id, seq, type, at, node_id, token, data, steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const state = runState({ id: 'r', eventSeq: 4 });
    run.run('r', 'running', JSON.stringify(state), 4, 1);
    run.run('q', 'completed', JSON.stringify(runState({ id: 'q', status: 'completed' })), 1, 0);
    logged.run('r', 1, 'run.started', 10, null, null, null, null);
    logged.run('r', 2, 'step.started', 11.5, 'n2', 1, '{"input":{"x":[1,"a"]},"empty":""}', null);
    logged.run('r', 3, 'step.completed', 12, 'n2', 1, 'null', JSON.stringify([stepRow(2)]));
    logged.run('r', 4, 'branch.ended', 13, null, 0, '{"zero":0,"no":false}', null);
    logged.run('q', 1, 'run.started', 14, null, null, '{}', null);
    old
      .prepare(
        `INSERT INTO steps (run_id, seq, node_id, branch, attempt, status, input, output, started_at, ended_at)
       VALUES ('r', 1, 'old', '0', 1, 'completed', '{}', '1', 1, 2)`,
      )
      .run();
    old.close();

    const store = await openAt(path);
    expect(await store.readEvents('r')).toEqual([
      { seq: 1, type: 'run.started', at: 10 },
      { seq: 2, type: 'step.started', at: 11.5, nodeId: 'n2', token: 1, data: { input: { x: [1, 'a'] }, empty: '' } },
      { seq: 3, type: 'step.completed', at: 12, nodeId: 'n2', token: 1, data: null },
      { seq: 4, type: 'branch.ended', at: 13, token: 0, data: { zero: 0, no: false } },
    ]);
    expect(await store.readEvents('q')).toEqual([{ seq: 1, type: 'run.started', at: 14, data: {} }]);
    expect((await store.listSteps('r')).map((row) => [row.seq, row.nodeId])).toEqual([
      [1, 'old'],
      [2, 'n2'],
    ]);
    expect(await store.loadRun('r')).toEqual(state);
    expect(await store.listActiveRunIds()).toEqual(['r']);
    // And the run goes on in the new log.
    await store.commit([checkpoint({ ...state, eventSeq: 6 }, { snapshot: false, events: [event(5), event(6)] })]);
    expect((await store.readEvents('r', 3)).map((e) => e.seq)).toEqual([4, 5, 6]);
    await expect(store.commit([checkpoint({ ...state, eventSeq: 5 }, { events: [event(5)] })])).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
    });
  });

  it('refuses a commit whose log goes backwards, inside one checkpoint or between two of one run in a batch', async () => {
    const store = await openAt(freshPath());
    const state = await (async () => {
      const s = runState({ id: 'r' });
      await store.commit([created(s)]);
      return s;
    })();
    const backwards = checkpoint({ ...state, eventSeq: 3 }, { events: [event(3), event(2)] });
    await expect(store.commit([backwards])).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
      message: expect.stringMatching(/seq 2 after seq 3/),
    });
    const first = checkpoint({ ...state, eventSeq: 3 }, { events: [event(2), event(3)] });
    const overlapping = checkpoint({ ...state, eventSeq: 4 }, { events: [event(3), event(4)] });
    await expect(store.commit([first, overlapping])).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    expect((await store.readEvents('r')).map((e) => e.seq)).toEqual([1]);
    const next = checkpoint({ ...state, eventSeq: 5 }, { events: [event(4), event(5)] });
    await store.commit([first, next]);
    expect((await store.readEvents('r')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    // The key holds a seq in 32 bits: one past them would land in the next run's range.
    const beyond = checkpoint({ ...state, eventSeq: 2 ** 32 }, { events: [event(2 ** 32)] });
    await expect(store.commit([beyond])).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
      message: expect.stringMatching(/key range/),
    });
    expect((await store.readEvents('r', 4)).map((e) => e.seq)).toEqual([5]);
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

  it('takes lease_ms from a sqlite: URL (default 5 s) and refuses a bad one or an unknown option', async () => {
    const path = freshPath();
    const store = openStore(`sqlite:${path}?lease_ms=1500`);
    await store.init();
    expect(store.leases?.ttlMs).toBe(1500);
    await store.close();
    expect(existsSync(path)).toBe(true);
    expect(openStore(`sqlite:${freshPath()}`).leases?.ttlMs).toBe(5000);
    expect(() => openStore(`sqlite:${freshPath()}?lease_ms=50`)).toThrow(
      /lease_ms must be a whole number of milliseconds, at least 100 \(got '50'\)/,
    );
    expect(() => openStore(`sqlite:${freshPath()}?durability=strict`)).toThrow(
      expect.objectContaining({ code: 'STORE_INVALID', message: expect.stringContaining("unknown option 'durability'") }),
    );
  });
});
