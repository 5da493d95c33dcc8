/**
 * Size budgets of one evaluation. Without them a short expression builds a value too large for
 * the process: `$pad("x", 200000000)` died with "Fatal JavaScript invalid size error" (2.4 GB),
 * `&` doubles a string per turn of `$reduce`, and an object that holds the same object twice,
 * nested thirty times, is 2^30 values once written out (to a string, a step output, the store).
 *
 * Two kinds of check:
 * - as each JSONata node returns (the exit hook): a string over MAX_STRING_LENGTH, an array
 *   over MAX_ARRAY_LENGTH, or a value built here whose written-out size is over MAX_VALUE_SIZE;
 * - before the built-ins that would allocate the whole result at once (`$pad`, `$join`,
 *   `$string`): see `bounded-functions.ts`.
 * A large value's size is counted once per evaluation (memoised by object), so passing it along
 * costs a look-up; a small one is counted again, which costs less than remembering it. Data of
 * the run's scope is walked only when a built value holds it.
 */
import type { AstNode } from './ast.js';
import { PATH_OF, SandboxViolation, state } from './sandbox-state.js';

/** Characters (UTF-16 units) of one string: 4 M, 4–8 MB. */
export const MAX_STRING_LENGTH = 4_000_000;
/** Items of one array. */
export const MAX_ARRAY_LENGTH = 1_000_000;
/** Written-out size (about the characters of its JSON) of one value an expression builds. */
export const MAX_VALUE_SIZE = 8_000_000;

const number = new Intl.NumberFormat('en-US');

/** `what` ends where the figure goes: 'a string of', 'a path collecting'. */
export function overBudget(what: string, size: number, limit: number, unit: string): SandboxViolation {
  return new SandboxViolation(`${what} ${number.format(size)} ${unit} is over the budget of ${number.format(limit)} ${unit}`);
}

export function checkStringLength(what: string, length: number): void {
  if (!(length <= MAX_STRING_LENGTH)) throw overBudget(what, length, MAX_STRING_LENGTH, 'characters');
}

/** Node types whose object or array result may be new, holding other values (maybe many times). */
const BUILDERS: ReadonlySet<string> = new Set(['unary', 'binary', 'function', 'partial', 'apply', 'transform']);

/** Items a path's steps returned so far, in its evaluation in progress. */
const COLLECTED: unique symbol = Symbol('runloom.expr.collected');
type Path = AstNode & { [COLLECTED]?: number };

/** Counts of the paths entered again before they returned (recursion), restored as they return. */
const outerCounts: number[] = [];

export function resetBudgets(): void {
  state.sizes = undefined;
  outerCounts.length = 0;
}

/**
 * The entry hook's part. A path maps each step over the items of the step before, then
 * flattens: `[1..1000].($list)` collected a million-item list a thousand times (15 s, 1 GB)
 * before any of its nodes returned a result too large.
 */
export function enterPath(path: Path): void {
  outerCounts.push(path[COLLECTED] ?? 0);
  path[COLLECTED] = 0;
}

export function leavePath(path: Path): void {
  path[COLLECTED] = outerCounts.pop() ?? 0;
}

/** The exit hook's part: called with every node's result. Cheapest checks first: it runs for every node. */
export function checkBuilt(node: AstNode, result: unknown): void {
  if (typeof result === 'string') {
    checkStringLength('a string of', result.length);
    return;
  }
  if (typeof result !== 'object' || result === null) return;
  if (Array.isArray(result)) {
    if (result.length > MAX_ARRAY_LENGTH) throw overBudget('an array of', result.length, MAX_ARRAY_LENGTH, 'items');
    const path = node[PATH_OF] as Path | undefined;
    if (path !== undefined) {
      const collected = (path[COLLECTED] ?? 0) + result.length;
      if (collected > MAX_ARRAY_LENGTH) throw overBudget('a path collecting', collected, MAX_ARRAY_LENGTH, 'items');
      path[COLLECTED] = collected;
    }
    // A path maps over arrays: its sequence may hold one object many times.
    if ((result as { sequence?: boolean }).sequence === true) {
      sizeOf(result, MAX_VALUE_SIZE);
      return;
    }
  }
  if (BUILDERS.has(node.type) || node.group !== undefined) sizeOf(result, MAX_VALUE_SIZE);
}

/** Sizes below this are counted again when met again (cheaper than remembering them). */
const REMEMBERED = 1_024;

/**
 * The written-out size of a value (about the length of its JSON), counted once per object in
 * this evaluation; throws as soon as it passes `limit`.
 */
export function sizeOf(value: unknown, limit: number, what = 'a value of'): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'object':
      break;
    case 'undefined':
    case 'function':
      return 0;
    default:
      return 4;
  }
  if (value === null) return 4;
  const known = state.sizes?.get(value);
  if (known !== undefined) {
    if (known > limit) throw overBudget(what, known, limit, 'characters written out');
    return known;
  }
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += sizeOf(item, limit, what) + 1;
      if (size > limit) throw overBudget(what, size, limit, 'characters written out');
    }
  } else {
    for (const key of Object.keys(value)) {
      size += key.length + 4 + sizeOf((value as Record<string, unknown>)[key], limit, what);
      if (size > limit) throw overBudget(what, size, limit, 'characters written out');
    }
  }
  if (size >= REMEMBERED) {
    state.sizes ??= new WeakMap();
    state.sizes.set(value, size);
  }
  return size;
}
