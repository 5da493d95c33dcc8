/**
 * Patches (F5.2): operations at a path, applied in order to a copy of the context; the batch
 * applies whole or not at all (the first bad operation throws and the copy is dropped). Each
 * operation changes only the key it names: `merge` writes the keys it brings and keeps the
 * others, `deepMerge` does so at every level, `append` adds to an array, `increment` to a number.
 *
 * A blackboard entry is written through its key (`blackboard.leads…`): the operation applies to
 * the entry's value, and the entry takes the patch's author and time (and `ttlMs` its expiry).
 * Expired entries are dropped before a patch applies, so they are gone for the patch as for reads.
 */
import { type BlackboardEntry, isExpired, type SwarmContext } from './context.js';
import { checkContext } from './context-check.js';
import { PatchError } from './patch-error.js';
import { parsePath } from './paths.js';

export const PATCH_OPS = ['set', 'delete', 'append', 'increment', 'merge', 'deepMerge'] as const;
export type PatchOpName = (typeof PATCH_OPS)[number];

export type PatchOp =
  | { readonly op: 'set'; readonly path: string; readonly value: unknown; readonly ttlMs?: number }
  | { readonly op: 'delete'; readonly path: string }
  | { readonly op: 'append'; readonly path: string; readonly value: unknown; readonly ttlMs?: number }
  | { readonly op: 'increment'; readonly path: string; readonly by?: number; readonly ttlMs?: number }
  | { readonly op: 'merge'; readonly path: string; readonly value: Record<string, unknown>; readonly ttlMs?: number }
  | { readonly op: 'deepMerge'; readonly path: string; readonly value: Record<string, unknown>; readonly ttlMs?: number };

type Container = Record<string, unknown> | unknown[];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The context after `ops`, written by `author` at `at`; throws PatchError and changes nothing. */
export function applyPatch(context: SwarmContext, ops: readonly PatchOp[], author: string, at: number): SwarmContext {
  if (!Array.isArray(ops) || ops.length === 0) throw new PatchError(0, '', 'a patch has at least one operation');
  const next = structuredClone(context) as { -readonly [K in keyof SwarmContext]: SwarmContext[K] } & Record<string, unknown>;
  next.blackboard = Object.fromEntries(Object.entries(next.blackboard).filter(([, entry]) => !isExpired(entry, at)));
  ops.forEach((op, index) => {
    applyOp(next, op, index, author, at);
  });
  checkContext(next);
  return next;
}

function applyOp(root: Record<string, unknown>, op: PatchOp, index: number, author: string, at: number): void {
  if (!isPlainObject(op) || !(PATCH_OPS as readonly string[]).includes(op.op)) {
    throw new PatchError(index, String((op as { path?: unknown })?.path ?? ''), `op is one of ${PATCH_OPS.join(', ')}`);
  }
  const { section, rest } = parsePath(op.path, index);
  checkArguments(op, index);
  if (section !== 'blackboard') {
    if (rest.length === 0 && op.op === 'delete') throw new PatchError(index, op.path, 'a section cannot be deleted');
    applyAt(root, [section, ...rest], op, index);
    return;
  }
  const [key, ...inner] = rest;
  if (key === undefined) throw new PatchError(index, op.path, 'name a blackboard key: blackboard.<key>');
  const board = root.blackboard as Record<string, BlackboardEntry>;
  if (op.op === 'delete' && inner.length === 0) {
    delete board[key];
    return;
  }
  const entry = board[key];
  const holder: Record<string, unknown> = entry ? { value: entry.value } : {};
  applyAt(holder, ['value', ...inner], op, index);
  const ttlMs = 'ttlMs' in op ? op.ttlMs : undefined;
  const expiresAt = ttlMs !== undefined ? at + ttlMs : entry?.expiresAt;
  board[key] = { value: holder.value, author, at, ...(expiresAt !== undefined ? { expiresAt } : {}) };
}

function checkArguments(op: PatchOp, index: number): void {
  if ('ttlMs' in op && op.ttlMs !== undefined && !(Number.isSafeInteger(op.ttlMs) && op.ttlMs > 0)) {
    throw new PatchError(index, op.path, 'ttlMs is a positive whole number of milliseconds');
  }
  if (op.op === 'increment' && op.by !== undefined && !Number.isFinite(op.by)) {
    throw new PatchError(index, op.path, 'increment takes a finite number `by`');
  }
  if ((op.op === 'merge' || op.op === 'deepMerge') && !isPlainObject(op.value)) {
    throw new PatchError(index, op.path, `${op.op} takes an object value`);
  }
  if ((op.op === 'set' || op.op === 'append') && op.value === undefined) {
    throw new PatchError(index, op.path, `${op.op} takes a value`);
  }
}

/** Applies `op` at `keys` under `root`, creating missing objects on the way (never for delete). */
function applyAt(root: Container, keys: readonly string[], op: PatchOp, index: number): void {
  let parent: Container = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as string;
    const child = read(parent, key);
    if (child === undefined) {
      if (op.op === 'delete') return;
      write(parent, key, {}, op, index);
      parent = read(parent, key) as Container;
    } else if (typeof child === 'object' && child !== null) {
      parent = child as Container;
    } else {
      throw new PatchError(index, op.path, `'${keys.slice(0, i + 1).join('.')}' is ${describe(child)}, not an object`);
    }
  }
  const last = keys.at(-1) as string;
  const current = read(parent, last);
  switch (op.op) {
    case 'set':
      write(parent, last, structuredClone(op.value), op, index);
      return;
    case 'delete':
      if (!Array.isArray(parent)) delete parent[last];
      else if (current !== undefined) parent.splice(Number(last), 1);
      return;
    case 'append':
      if (current !== undefined && !Array.isArray(current)) {
        throw new PatchError(index, op.path, `append needs an array there, not ${describe(current)}`);
      }
      write(parent, last, [...((current as unknown[] | undefined) ?? []), structuredClone(op.value)], op, index);
      return;
    case 'increment':
      if (current !== undefined && typeof current !== 'number') {
        throw new PatchError(index, op.path, `increment needs a number there, not ${describe(current)}`);
      }
      write(parent, last, ((current as number | undefined) ?? 0) + (op.by ?? 1), op, index);
      return;
    case 'merge':
    case 'deepMerge': {
      if (current !== undefined && !isPlainObject(current)) {
        throw new PatchError(index, op.path, `${op.op} needs an object there, not ${describe(current)}`);
      }
      const base = (current as Record<string, unknown> | undefined) ?? {};
      const merged = op.op === 'merge' ? { ...base, ...structuredClone(op.value) } : deepMerge(base, op.value);
      write(parent, last, merged, op, index);
      return;
    }
  }
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const existing = out[key];
    out[key] = isPlainObject(existing) && isPlainObject(value) ? deepMerge(existing, value) : structuredClone(value);
  }
  return out;
}

function read(container: Container, key: string): unknown {
  if (Array.isArray(container)) return /^\d+$/.test(key) ? container[Number(key)] : undefined;
  return Object.hasOwn(container, key) ? container[key] : undefined;
}

function write(container: Container, key: string, value: unknown, op: PatchOp, index: number): void {
  if (!Array.isArray(container)) {
    container[key] = value;
    return;
  }
  const at = /^\d+$/.test(key) ? Number(key) : Number.NaN;
  if (!(at <= container.length)) {
    throw new PatchError(index, op.path, `'${key}' is not an index of this array (length ${container.length})`);
  }
  container[at] = value;
}

const describe = (value: unknown): string =>
  Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
