/**
 * The ledger's moves over a book of accounts (F5.4), the part every store shares. A store opens
 * the book inside its own atomic scope — the memory store's single thread, SQLite's IMMEDIATE
 * transaction, PostgreSQL's transaction with the swarm's advisory lock — and writes back what the
 * move put. Accounts form a tree: swarm → run allocations → step reservations; a parent's `held`
 * is the sum of its open children's budgets, and closing a child moves its spending up.
 */
import type { LedgerAccount, LedgerEntry, Reservation } from './store.js';

export interface Book {
  get(id: string): LedgerAccount | undefined;
  openChildren(id: string): LedgerAccount[];
  put(account: LedgerAccount): void;
  entry(entry: Omit<LedgerEntry, 'seq'>): void;
}

/** Whether the parent can still cover `amount`: the check every store makes atomically. */
export const covers = (parent: LedgerAccount, amount: number): boolean =>
  parent.status === 'open' && parent.kind !== 'step' && parent.held + parent.spent + amount <= parent.budget;

export function reserveIn(book: Book, r: Reservation): boolean {
  const parent = book.get(r.parentId);
  if (!parent || !covers(parent, r.amount) || book.get(r.accountId)) return false;
  book.put({ ...parent, held: parent.held + r.amount });
  book.put({
    id: r.accountId,
    parentId: r.parentId,
    kind: r.kind,
    ...(r.holder !== undefined ? { holder: r.holder } : {}),
    budget: r.amount,
    held: 0,
    spent: 0,
    status: 'open',
  });
  book.entry({ kind: 'reserve', accountId: r.accountId, parentId: r.parentId, amount: r.amount, at: r.at, ...holderOf(r) });
  return true;
}

/**
 * Closes an open account: its open children first (released, nothing charged), then `cost` is
 * charged to it (settle) and its budget leaves its parent's `held`, its spending joins the
 * parent's `spent`; the release entry carries the unused part (negative when a step cost more
 * than it reserved: the overspend stays visible instead of being clamped away).
 */
export function closeIn(book: Book, id: string, at: number, cost?: number): boolean {
  const account = book.get(id);
  if (account?.status !== 'open' || account.kind === 'swarm') return false;
  for (const child of book.openChildren(id)) closeIn(book, child.id, at);
  const own = book.get(id) as LedgerAccount;
  if (cost !== undefined) book.entry({ kind: 'settle', accountId: id, amount: cost, at, ...holderOf(own) });
  const spent = own.spent + (cost ?? 0);
  book.put({ ...own, spent, status: 'closed' });
  // Written even when nothing is left over (or more was spent than held): the entry is the close.
  const unused = own.budget - spent;
  book.entry({ kind: 'release', accountId: id, ...parentOf(own), amount: unused, at, ...holderOf(own) });
  const parent = own.parentId === undefined ? undefined : book.get(own.parentId);
  if (parent) book.put({ ...parent, held: parent.held - own.budget, spent: parent.spent + spent });
  return true;
}

/** Gives `amount` of a closed account's spending back, up to and including its first open ancestor. */
export function refundIn(book: Book, id: string, amount: number, at: number): boolean {
  const account = book.get(id);
  if (account?.status !== 'closed' || amount <= 0 || amount > account.spent) return false;
  book.entry({ kind: 'refund', accountId: id, amount, at, ...holderOf(account) });
  let current: LedgerAccount | undefined = account;
  while (current) {
    book.put({ ...current, spent: current.spent - amount });
    if (current.status === 'open') break;
    current = current.parentId === undefined ? undefined : book.get(current.parentId);
  }
  return true;
}

const holderOf = (x: { readonly holder?: string }) => (x.holder !== undefined ? { holder: x.holder } : {});

const parentOf = (x: { readonly parentId?: string }) => (x.parentId !== undefined ? { parentId: x.parentId } : {});
