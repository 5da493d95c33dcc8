/** Swarms and their ledgers in memory (the memory store's `swarms`). */
import { type Book, closeIn, refundIn, reserveIn } from '../ledger-book.js';
import type { LedgerAccount, LedgerEntry, SwarmRecords, SwarmRow, SwarmVersionRow } from '../store.js';

interface SwarmEntry {
  row: SwarmRow;
  versions: SwarmVersionRow[];
  accounts: Map<string, LedgerAccount>;
  ledger: LedgerEntry[];
  writes: Map<string, number>;
}

const copy = <T>(value: T): T => structuredClone(value);

export function createMemorySwarms(): SwarmRecords {
  const swarms = new Map<string, SwarmEntry>();
  let seq = 0;
  const bookOf = (entry: SwarmEntry): Book => ({
    get: (id) => entry.accounts.get(id),
    openChildren: (id) => [...entry.accounts.values()].filter((a) => a.parentId === id && a.status === 'open'),
    put: (account) => entry.accounts.set(account.id, account),
    entry: (e) => entry.ledger.push({ ...e, seq: ++seq }),
  });
  const setBudget = (entry: SwarmEntry, budget: number, at: number) => {
    const root = entry.accounts.get(entry.row.id) as LedgerAccount;
    if (root.budget === budget) return;
    entry.accounts.set(root.id, { ...root, budget });
    bookOf(entry).entry({ kind: 'budget', accountId: root.id, amount: budget, at });
  };
  return {
    async create(row, first, budget) {
      if (swarms.has(row.id)) throw new Error(`swarm '${row.id}' exists`);
      const entry: SwarmEntry = { row: copy(row), versions: [copy(first)], accounts: new Map(), ledger: [], writes: new Map() };
      entry.accounts.set(row.id, { id: row.id, kind: 'swarm', budget: 0, held: 0, spent: 0, status: 'open' });
      setBudget(entry, budget, row.createdAt);
      swarms.set(row.id, entry);
    },
    async get(id, workspace) {
      const entry = swarms.get(id);
      return entry && (workspace === undefined || entry.row.workspace === workspace) ? copy(entry.row) : undefined;
    },
    async list(workspace) {
      return [...swarms.values()]
        .map((e) => e.row)
        .filter((r) => workspace === undefined || r.workspace === workspace)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .map(copy);
    },
    async commitVersion(id, expected, next, budget, writeKey) {
      const entry = swarms.get(id);
      if (!entry || entry.row.version !== expected || next.version !== expected + 1) return false;
      if (writeKey !== undefined) {
        if (entry.writes.has(writeKey)) return false;
        entry.writes.set(writeKey, next.version);
      }
      entry.row = { ...entry.row, version: next.version, context: copy(next.context), updatedAt: next.at };
      entry.versions.push(copy(next));
      entry.versions.splice(0, Math.max(0, entry.versions.length - entry.row.keepVersions));
      if (budget !== undefined) setBudget(entry, budget, next.at);
      return true;
    },
    async findWrite(id, writeKey) {
      return swarms.get(id)?.writes.get(writeKey);
    },
    async versions(id, afterVersion = 0) {
      return (swarms.get(id)?.versions ?? []).filter((v) => v.version > afterVersion).map(copy);
    },
    async setStatus(id, status, at) {
      const entry = swarms.get(id);
      if (entry) entry.row = { ...entry.row, status, updatedAt: at };
    },
    async reserve(reservation) {
      const entry = swarms.get(reservation.swarmId);
      return entry ? reserveIn(bookOf(entry), reservation) : false;
    },
    async close(swarmId, accountId, at, cost) {
      const entry = swarms.get(swarmId);
      return entry ? closeIn(bookOf(entry), accountId, at, cost) : false;
    },
    async releaseHolder(holder, at) {
      let closed = 0;
      for (const entry of swarms.values()) {
        for (const account of [...entry.accounts.values()]) {
          if (account.holder === holder && closeIn(bookOf(entry), account.id, at)) closed++;
        }
      }
      return closed;
    },
    async refund(swarmId, accountId, amount, at) {
      const entry = swarms.get(swarmId);
      return entry ? refundIn(bookOf(entry), accountId, amount, at) : false;
    },
    async accounts(swarmId) {
      return [...(swarms.get(swarmId)?.accounts.values() ?? [])].map(copy);
    },
    async ledger(swarmId) {
      return (swarms.get(swarmId)?.ledger ?? []).map(copy);
    },
  };
}
