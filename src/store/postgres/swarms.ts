/**
 * `swarms`: swarm contexts, kept versions and the credit ledger (migration 008).
 *
 * Reserving is ONE statement: a conditional `UPDATE … SET held = held + $amount WHERE held +
 * spent + $amount <= budget` on the parent account, with the child account and the ledger entry
 * inserted from its RETURNING. Under READ COMMITTED two reservations against one parent queue on
 * the parent's row lock, and the second re-checks the WHERE against the first's committed row
 * (PostgreSQL re-evaluates an UPDATE's condition on the newest row version), so no interleaving
 * can pass the check twice on stale sums — without the retries a SERIALIZABLE transaction needs.
 * The version compare-and-set is one statement the same way.
 *
 * Closing and refunding touch several accounts (a run, its open steps, its parent): a
 * transaction that takes the swarm's advisory lock (so two of them never interleave or
 * deadlock), then locks the rows it reads with FOR UPDATE, account first and its children next
 * (a reservation under it waits, then sees it closed), applies the shared ledger moves, and
 * writes back what changed.
 */
import type pg from 'pg';
import { type Book, closeIn, refundIn } from '../ledger-book.js';
import type { LedgerAccount, LedgerEntry, SwarmRecords } from '../store.js';
import { type AccountColumns, toAccount, toEntry, toSwarm, toVersion } from '../swarm-rows.js';
import type { PostgresPool } from './open-pool.js';

const RESERVE = `
WITH parent AS (
  UPDATE swarm_accounts SET held = held + $3
  WHERE swarm_id = $1 AND id = $2 AND status = 'open' AND kind <> 'step' AND held + spent + $3 <= budget
    AND NOT EXISTS (SELECT 1 FROM swarm_accounts WHERE swarm_id = $1 AND id = $4)
  RETURNING workspace
), child AS (
  INSERT INTO swarm_accounts (swarm_id, workspace, id, parent_id, kind, holder, budget, held, spent, status)
  SELECT $1, workspace, $4, $2, $5, $6, $3, 0, 0, 'open' FROM parent
), entry AS (
  INSERT INTO swarm_ledger (swarm_id, workspace, kind, account_id, parent_id, amount, holder, at)
  SELECT $1, workspace, 'reserve', $4, $2, $3, $6, $7 FROM parent
)
SELECT count(*)::int AS n FROM parent`;

const COMMIT_VERSION = `
WITH s AS (
  UPDATE swarms SET version = $3, context = $4, updated_at = $6 WHERE id = $1 AND version = $2
  RETURNING workspace, keep_versions
), v AS (
  INSERT INTO swarm_versions (swarm_id, workspace, version, context, change, at) SELECT $1, workspace, $3, $4, $5, $6 FROM s
), trimmed AS (
  DELETE FROM swarm_versions WHERE swarm_id = $1 AND version <= $3 - (SELECT keep_versions FROM s)
), b AS (
  UPDATE swarm_accounts SET budget = $7 WHERE swarm_id = $1 AND id = $1 AND $7::bigint IS NOT NULL AND budget <> $7
    AND EXISTS (SELECT 1 FROM s)
  RETURNING workspace
), e AS (
  INSERT INTO swarm_ledger (swarm_id, workspace, kind, account_id, amount, at) SELECT $1, workspace, 'budget', $1, $7, $6 FROM b
), w AS (
  INSERT INTO swarm_writes (swarm_id, write_key, version) SELECT $1, $8, $3 FROM s WHERE $8::text IS NOT NULL
)
SELECT count(*)::int AS n FROM s`;

const UNIQUE_VIOLATION = '23505';

export function prepareSwarms(pool: PostgresPool): SwarmRecords {
  /** Runs `move` in a transaction holding the swarm's advisory lock, over rows it locks as it reads. */
  const inBook = (swarmId: string, accountId: string, move: (book: Book) => boolean): Promise<boolean> =>
    inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`runloom:swarm:${swarmId}`]);
      const { rows: swarm } = await client.query('SELECT workspace FROM swarms WHERE id = $1', [swarmId]);
      if (!swarm[0]) return false;
      const book = await loadBook(client, swarmId, accountId);
      const done = move(book.book);
      if (done) await book.flush(swarm[0].workspace);
      return done;
    });

  return {
    async create(row, first, budget) {
      await inTransaction(pool, async (client) => {
        await client.query(
          'INSERT INTO swarms (id, workspace, name, status, version, context, keep_versions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
          [row.id, row.workspace, row.name, row.status, row.version, row.context, row.keepVersions, row.createdAt, row.updatedAt],
        );
        await client.query(
          'INSERT INTO swarm_versions (swarm_id, workspace, version, context, change, at) VALUES ($1, $2, $3, $4, $5, $6)',
          [row.id, row.workspace, first.version, first.context, first.change, first.at],
        );
        await client.query(
          `INSERT INTO swarm_accounts (swarm_id, workspace, id, kind, budget, held, spent, status) VALUES ($1, $2, $1, 'swarm', $3, 0, 0, 'open')`,
          [row.id, row.workspace, budget],
        );
        await client.query(
          `INSERT INTO swarm_ledger (swarm_id, workspace, kind, account_id, amount, at) VALUES ($1, $2, 'budget', $1, $3, $4)`,
          [row.id, row.workspace, budget, row.createdAt],
        );
        return true;
      });
    },
    async get(id, workspace) {
      const { rows } = await pool.query('SELECT * FROM swarms WHERE id = $1', [id]);
      return rows[0] && (workspace === undefined || rows[0].workspace === workspace) ? toSwarm(rows[0]) : undefined;
    },
    async list(workspace) {
      const { rows } =
        workspace === undefined
          ? await pool.query('SELECT * FROM swarms ORDER BY created_at DESC, id DESC')
          : await pool.query('SELECT * FROM swarms WHERE workspace = $1 ORDER BY created_at DESC, id DESC', [workspace]);
      return rows.map(toSwarm);
    },
    async commitVersion(id, expected, next, budget, writeKey) {
      if (next.version !== expected + 1) return false;
      const params = [id, expected, next.version, next.context, next.change, next.at, budget ?? null, writeKey ?? null];
      try {
        const { rows } = await pool.query(COMMIT_VERSION, params);
        return rows[0].n === 1;
      } catch (error) {
        // The key was written already (by this write's earlier attempt): the statement wrote nothing.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
        throw error;
      }
    },
    async findWrite(id, writeKey) {
      const { rows } = await pool.query('SELECT version FROM swarm_writes WHERE swarm_id = $1 AND write_key = $2', [
        id,
        writeKey,
      ]);
      return rows[0]?.version;
    },
    async versions(id, afterVersion = 0) {
      const { rows } = await pool.query(
        'SELECT version, context, change, at FROM swarm_versions WHERE swarm_id = $1 AND version > $2 ORDER BY version',
        [id, afterVersion],
      );
      return rows.map(toVersion);
    },
    async setStatus(id, status, at) {
      await pool.query('UPDATE swarms SET status = $1, updated_at = $2 WHERE id = $3', [status, at, id]);
    },
    async reserve(r) {
      try {
        const { rows } = await pool.query(RESERVE, [
          r.swarmId,
          r.parentId,
          r.amount,
          r.accountId,
          r.kind,
          r.holder ?? null,
          r.at,
        ]);
        return rows[0].n === 1;
      } catch (error) {
        // The same account reserved twice at once: the second is refused like a known one.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
        throw error;
      }
    },
    close: (swarmId, accountId, at, cost) => inBook(swarmId, accountId, (book) => closeIn(book, accountId, at, cost)),
    async releaseHolder(holder, at) {
      const { rows } = await pool.query("SELECT swarm_id, id FROM swarm_accounts WHERE holder = $1 AND status = 'open'", [
        holder,
      ]);
      let closed = 0;
      for (const row of rows) {
        if (await inBook(row.swarm_id, row.id, (book) => closeIn(book, row.id, at))) closed++;
      }
      return closed;
    },
    refund: (swarmId, accountId, amount, at) => inBook(swarmId, accountId, (book) => refundIn(book, accountId, amount, at)),
    async accounts(swarmId) {
      const { rows } = await pool.query('SELECT * FROM swarm_accounts WHERE swarm_id = $1 ORDER BY ctid', [swarmId]);
      return rows.map(toAccount);
    },
    async ledger(swarmId) {
      const { rows } = await pool.query('SELECT * FROM swarm_ledger WHERE swarm_id = $1 ORDER BY seq', [swarmId]);
      return rows.map(toEntry);
    },
  };
}

/** Runs `work` in a transaction on one client: committed when it returns true, else rolled back. */
async function inTransaction(pool: PostgresPool, work: (client: pg.PoolClient) => Promise<boolean>): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const done = await work(client);
    await client.query(done ? 'COMMIT' : 'ROLLBACK');
    return done;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Locks and reads what a move on `accountId` may touch: the account, its open children (after
 * the account, so none is added meanwhile) and its ancestors; the book then works on them in memory.
 */
async function loadBook(client: pg.PoolClient, swarmId: string, accountId: string) {
  const lock = async (sql: string, params: unknown[]) => (await client.query<AccountColumns>(sql, params)).rows.map(toAccount);
  const accounts = new Map<string, LedgerAccount>();
  const add = (list: LedgerAccount[]) => {
    for (const a of list) accounts.set(a.id, a);
  };
  add(await lock('SELECT * FROM swarm_accounts WHERE swarm_id = $1 AND id = $2 FOR UPDATE', [swarmId, accountId]));
  add(
    await lock("SELECT * FROM swarm_accounts WHERE swarm_id = $1 AND parent_id = $2 AND status = 'open' FOR UPDATE", [
      swarmId,
      accountId,
    ]),
  );
  let parentId = accounts.get(accountId)?.parentId;
  while (parentId !== undefined && !accounts.has(parentId)) {
    const [parent] = await lock('SELECT * FROM swarm_accounts WHERE swarm_id = $1 AND id = $2 FOR UPDATE', [swarmId, parentId]);
    if (!parent) break;
    accounts.set(parent.id, parent);
    parentId = parent.parentId;
  }
  const changed = new Map<string, LedgerAccount>();
  const entries: Omit<LedgerEntry, 'seq'>[] = [];
  const book: Book = {
    get: (id) => accounts.get(id),
    openChildren: (id) => [...accounts.values()].filter((a) => a.parentId === id && a.status === 'open'),
    put: (a) => {
      accounts.set(a.id, a);
      changed.set(a.id, a);
    },
    entry: (e) => entries.push(e),
  };
  const flush = async (workspace: string) => {
    for (const a of changed.values()) {
      await client.query('UPDATE swarm_accounts SET held = $3, spent = $4, status = $5 WHERE swarm_id = $1 AND id = $2', [
        swarmId,
        a.id,
        a.held,
        a.spent,
        a.status,
      ]);
    }
    for (const e of entries) {
      await client.query(
        'INSERT INTO swarm_ledger (swarm_id, workspace, kind, account_id, parent_id, amount, holder, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [swarmId, workspace, e.kind, e.accountId, e.parentId ?? null, e.amount, e.holder ?? null, e.at],
      );
    }
  };
  return { book, flush };
}
