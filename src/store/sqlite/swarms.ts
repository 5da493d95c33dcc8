/**
 * `swarms`: swarm contexts, kept versions and the credit ledger (migration 008). Every ledger
 * move runs in an IMMEDIATE transaction: SQLite takes its single write lock up front, so the
 * check "the parent still covers it" and the writes that follow see no other writer in between —
 * across every process sharing the file, not only this connection.
 */
import { type Book, closeIn, refundIn, reserveIn } from '../ledger-book.js';
import type { LedgerAccount, LedgerEntry, SwarmRecords } from '../store.js';
import {
  type AccountColumns,
  type EntryColumns,
  type SwarmColumns,
  toAccount,
  toEntry,
  toSwarm,
  toVersion,
  type VersionColumns,
} from '../swarm-rows.js';
import type { SqliteDatabase } from './open-database.js';

export function prepareSwarms(db: SqliteDatabase): SwarmRecords {
  const insertSwarm = db.prepare(
    'INSERT INTO swarms (id, workspace, name, status, version, context, keep_versions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertVersion = db.prepare(
    'INSERT INTO swarm_versions (swarm_id, workspace, version, context, change, at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const trimVersions = db.prepare('DELETE FROM swarm_versions WHERE swarm_id = ? AND version <= ?');
  const getSwarm = db.prepare<[string], SwarmColumns>('SELECT * FROM swarms WHERE id = ?');
  const listAll = db.prepare<[], SwarmColumns>('SELECT * FROM swarms ORDER BY created_at DESC, id DESC');
  const listOf = db.prepare<[string], SwarmColumns>('SELECT * FROM swarms WHERE workspace = ? ORDER BY created_at DESC, id DESC');
  const bump = db.prepare('UPDATE swarms SET version = ?, context = ?, updated_at = ? WHERE id = ? AND version = ?');
  const versionsAfter = db.prepare<[string, number], VersionColumns>(
    'SELECT version, context, change, at FROM swarm_versions WHERE swarm_id = ? AND version > ? ORDER BY version',
  );
  const insertWrite = db.prepare('INSERT OR IGNORE INTO swarm_writes (swarm_id, write_key, version) VALUES (?, ?, ?)');
  const findWrite = db.prepare<[string, string], { version: number }>(
    'SELECT version FROM swarm_writes WHERE swarm_id = ? AND write_key = ?',
  );
  const setStatus = db.prepare('UPDATE swarms SET status = ?, updated_at = ? WHERE id = ?');
  const getAccount = db.prepare<[string, string], AccountColumns>('SELECT * FROM swarm_accounts WHERE swarm_id = ? AND id = ?');
  const openChildren = db.prepare<[string, string], AccountColumns>(
    "SELECT * FROM swarm_accounts WHERE swarm_id = ? AND parent_id = ? AND status = 'open'",
  );
  const upsertAccount =
    db.prepare(`INSERT INTO swarm_accounts (swarm_id, workspace, id, parent_id, kind, holder, budget, held, spent, status)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (swarm_id, id) DO UPDATE SET budget = excluded.budget, held = excluded.held, spent = excluded.spent, status = excluded.status`);
  const insertEntry = db.prepare(
    'INSERT INTO swarm_ledger (swarm_id, workspace, kind, account_id, parent_id, amount, holder, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const openOfHolder = db.prepare<[string], { swarm_id: string; id: string }>(
    "SELECT swarm_id, id FROM swarm_accounts WHERE holder = ? AND status = 'open'",
  );
  const allAccounts = db.prepare<[string], AccountColumns>('SELECT * FROM swarm_accounts WHERE swarm_id = ? ORDER BY rowid');
  const allEntries = db.prepare<[string], EntryColumns>('SELECT * FROM swarm_ledger WHERE swarm_id = ? ORDER BY seq');

  const bookOf = (swarmId: string, workspace: string): Book => ({
    get: (id) => {
      const row = getAccount.get(swarmId, id);
      return row && toAccount(row);
    },
    openChildren: (id) => openChildren.all(swarmId, id).map(toAccount),
    put: (a: LedgerAccount) => {
      upsertAccount.run(
        swarmId,
        workspace,
        a.id,
        a.parentId ?? null,
        a.kind,
        a.holder ?? null,
        a.budget,
        a.held,
        a.spent,
        a.status,
      );
    },
    entry: (e: Omit<LedgerEntry, 'seq'>) => {
      insertEntry.run(swarmId, workspace, e.kind, e.accountId, e.parentId ?? null, e.amount, e.holder ?? null, e.at);
    },
  });
  /** Runs `move` on the swarm's book inside one IMMEDIATE transaction; false for an unknown swarm. */
  const inBook = <A extends unknown[]>(move: (book: Book, ...args: A) => boolean) => {
    const tx = db.transaction((swarmId: string, ...args: A) => {
      const swarm = getSwarm.get(swarmId);
      return swarm ? move(bookOf(swarmId, swarm.workspace), ...args) : false;
    });
    return (swarmId: string, ...args: A) => tx.immediate(swarmId, ...args);
  };
  const setBudget = (swarmId: string, workspace: string, budget: number, at: number) => {
    const book = bookOf(swarmId, workspace);
    const root = book.get(swarmId) as LedgerAccount;
    if (root.budget === budget) return;
    book.put({ ...root, budget });
    book.entry({ kind: 'budget', accountId: swarmId, amount: budget, at });
  };

  const create = db.transaction(
    (row: Parameters<SwarmRecords['create']>[0], first: Parameters<SwarmRecords['create']>[1], budget: number) => {
      const context = JSON.stringify(row.context);
      insertSwarm.run(
        row.id,
        row.workspace,
        row.name,
        row.status,
        row.version,
        context,
        row.keepVersions,
        row.createdAt,
        row.updatedAt,
      );
      insertVersion.run(
        row.id,
        row.workspace,
        first.version,
        JSON.stringify(first.context),
        JSON.stringify(first.change),
        first.at,
      );
      bookOf(row.id, row.workspace).put({ id: row.id, kind: 'swarm', budget: 0, held: 0, spent: 0, status: 'open' });
      setBudget(row.id, row.workspace, budget, row.createdAt);
    },
  );
  const commitVersion = db.transaction(
    (
      id: string,
      expected: number,
      next: Parameters<SwarmRecords['commitVersion']>[2],
      budget?: number,
      writeKey?: string,
    ): boolean => {
      const swarm = getSwarm.get(id);
      if (!swarm || next.version !== expected + 1 || swarm.version !== expected) return false;
      if (writeKey !== undefined && insertWrite.run(id, writeKey, next.version).changes !== 1) return false;
      if (bump.run(next.version, JSON.stringify(next.context), next.at, id, expected).changes !== 1) return false;
      insertVersion.run(id, swarm.workspace, next.version, JSON.stringify(next.context), JSON.stringify(next.change), next.at);
      trimVersions.run(id, next.version - swarm.keep_versions);
      if (budget !== undefined) setBudget(id, swarm.workspace, budget, next.at);
      return true;
    },
  );
  const reserve = inBook(reserveIn);
  const close = inBook(closeIn);
  const refund = inBook(refundIn);
  const releaseHolder = db.transaction((holder: string, at: number) => {
    let closed = 0;
    for (const { swarm_id, id } of openOfHolder.all(holder)) if (close(swarm_id, id, at)) closed++;
    return closed;
  });

  return {
    async create(row, first, budget) {
      create.immediate(row, first, budget);
    },
    async get(id, workspace) {
      const row = getSwarm.get(id);
      return row && (workspace === undefined || row.workspace === workspace) ? toSwarm(row) : undefined;
    },
    async list(workspace) {
      return (workspace === undefined ? listAll.all() : listOf.all(workspace)).map(toSwarm);
    },
    async commitVersion(id, expected, next, budget, writeKey) {
      return commitVersion.immediate(id, expected, next, budget, writeKey);
    },
    async findWrite(id, writeKey) {
      return findWrite.get(id, writeKey)?.version;
    },
    async versions(id, afterVersion = 0) {
      return versionsAfter.all(id, afterVersion).map(toVersion);
    },
    async setStatus(id, status, at) {
      setStatus.run(status, at, id);
    },
    async reserve(r) {
      return reserve(r.swarmId, r);
    },
    async close(swarmId, accountId, at, cost) {
      return close(swarmId, accountId, at, cost);
    },
    async releaseHolder(holder, at) {
      return releaseHolder.immediate(holder, at);
    },
    async refund(swarmId, accountId, amount, at) {
      return refund(swarmId, accountId, amount, at);
    },
    async accounts(swarmId) {
      return allAccounts.all(swarmId).map(toAccount);
    },
    async ledger(swarmId) {
      return allEntries.all(swarmId).map(toEntry);
    },
  };
}
