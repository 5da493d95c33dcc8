/**
 * `swarms audit` (F5.4): the ledger is the truth. Every account's budget, held and spent are
 * derived again from its entries alone and compared with what the store keeps, and the tree's
 * rules are checked: an open account never holds and spends more than its budget (unless its
 * budget was lowered below what it had already committed), a closed one holds nothing.
 */
import type { LedgerAccount, LedgerEntry } from '../store/store.js';

export interface AuditReport {
  readonly ok: boolean;
  readonly budget: number;
  readonly spent: number;
  /** Live reservations: credits held for open runs and steps. */
  readonly held: number;
  /** budget − spent − held: what can still be reserved. */
  readonly available: number;
  readonly entries: number;
  readonly problems: readonly string[];
}

interface Derived {
  budget: number;
  held: number;
  spent: number;
  open: boolean;
  parentId?: string;
}

export function auditLedger(rootId: string, accounts: readonly LedgerAccount[], entries: readonly LedgerEntry[]): AuditReport {
  const derived = new Map<string, Derived>([[rootId, { budget: 0, held: 0, spent: 0, open: true }]]);
  const problems: string[] = [];
  const at = (id: string, seq: number): Derived | undefined => {
    const d = derived.get(id);
    if (!d) problems.push(`entry ${seq} names account '${id}', which no earlier entry opened`);
    return d;
  };
  for (const e of entries) {
    if (e.kind === 'budget') {
      const root = at(e.accountId, e.seq);
      if (root) root.budget = e.amount;
    } else if (e.kind === 'reserve') {
      const parent = at(e.parentId ?? '', e.seq);
      if (!parent) continue;
      if (parent.held + parent.spent + e.amount > parent.budget) {
        problems.push(`entry ${e.seq} reserved ${e.amount} for '${e.accountId}' beyond what its parent had left`);
      }
      parent.held += e.amount;
      derived.set(e.accountId, {
        budget: e.amount,
        held: 0,
        spent: 0,
        open: true,
        ...(e.parentId ? { parentId: e.parentId } : {}),
      });
    } else if (e.kind === 'settle') {
      const account = at(e.accountId, e.seq);
      if (account) account.spent += e.amount;
    } else if (e.kind === 'release') {
      closeDerived(derived, e.accountId, e, problems);
    } else {
      refundDerived(derived, e.accountId, e.amount);
    }
  }
  for (const account of accounts) {
    const d = derived.get(account.id);
    if (!d) {
      problems.push(`account '${account.id}' has no entries`);
      continue;
    }
    for (const field of ['budget', 'held', 'spent'] as const) {
      if (d[field] !== account[field]) {
        problems.push(`account '${account.id}': ${field} is ${account[field]} but the ledger says ${d[field]}`);
      }
    }
    if ((account.status === 'open') !== d.open)
      problems.push(`account '${account.id}' is ${account.status} but the ledger says otherwise`);
    if (account.status === 'closed' && account.held !== 0)
      problems.push(`closed account '${account.id}' still holds ${account.held}`);
  }
  const root = derived.get(rootId) as Derived;
  return {
    ok: problems.length === 0,
    budget: root.budget,
    spent: root.spent,
    held: root.held,
    available: root.budget - root.spent - root.held,
    entries: entries.length,
    problems,
  };
}

function closeDerived(derived: Map<string, Derived>, id: string, e: LedgerEntry, problems: string[]): void {
  const account = derived.get(id);
  if (!account?.open) {
    problems.push(`entry ${e.seq} releases '${id}', which is not open`);
    return;
  }
  if (e.amount !== account.budget - account.spent) {
    problems.push(`entry ${e.seq} releases ${e.amount} of '${id}' but ${account.budget - account.spent} was unused`);
  }
  account.open = false;
  const parent = account.parentId === undefined ? undefined : derived.get(account.parentId);
  if (parent) {
    parent.held -= account.budget;
    parent.spent += account.spent;
  }
}

function refundDerived(derived: Map<string, Derived>, id: string, amount: number): void {
  let current = derived.get(id);
  while (current) {
    current.spent -= amount;
    if (current.open) break;
    current = current.parentId === undefined ? undefined : derived.get(current.parentId);
  }
}
