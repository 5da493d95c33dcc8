/** Swarm, version, account and ledger rows as both SQL dialects return them, into store types. */
import type { LedgerAccount, LedgerEntry, LedgerEntryKind, SwarmRow, SwarmVersionRow } from './store.js';

const json = (value: unknown): Record<string, unknown> =>
  (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;

export interface SwarmColumns {
  id: string;
  workspace: string;
  name: string;
  status: string;
  version: number;
  context: unknown;
  keep_versions: number;
  created_at: number;
  updated_at: number;
}

export const toSwarm = (r: SwarmColumns): SwarmRow => ({
  id: r.id,
  workspace: r.workspace,
  name: r.name,
  status: r.status as SwarmRow['status'],
  version: r.version,
  context: json(r.context),
  keepVersions: r.keep_versions,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface VersionColumns {
  version: number;
  context: unknown;
  change: unknown;
  at: number;
}

export const toVersion = (r: VersionColumns): SwarmVersionRow => ({
  version: r.version,
  context: json(r.context),
  change: json(r.change),
  at: r.at,
});

export interface AccountColumns {
  id: string;
  parent_id: string | null;
  kind: string;
  holder: string | null;
  budget: number;
  held: number;
  spent: number;
  status: string;
}

export const toAccount = (r: AccountColumns): LedgerAccount => ({
  id: r.id,
  ...(r.parent_id !== null ? { parentId: r.parent_id } : {}),
  kind: r.kind as LedgerAccount['kind'],
  ...(r.holder !== null ? { holder: r.holder } : {}),
  budget: r.budget,
  held: r.held,
  spent: r.spent,
  status: r.status as LedgerAccount['status'],
});

export interface EntryColumns {
  seq: number;
  kind: string;
  account_id: string;
  parent_id: string | null;
  amount: number;
  holder: string | null;
  at: number;
}

export const toEntry = (r: EntryColumns): LedgerEntry => ({
  seq: r.seq,
  kind: r.kind as LedgerEntryKind,
  accountId: r.account_id,
  ...(r.parent_id !== null ? { parentId: r.parent_id } : {}),
  amount: r.amount,
  ...(r.holder !== null ? { holder: r.holder } : {}),
  at: r.at,
});
