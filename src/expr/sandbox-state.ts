/**
 * The state of the one evaluation in progress, shared by the sandbox hooks and the overridden
 * functions. Evaluation is synchronous and never re-entrant (`$eval` is disabled, no function
 * of ours calls back into an expression), so one module-level record is enough and costs no
 * allocation per evaluation.
 */

import { RESERVED_KEYS } from './reserved-keys.js';

export interface EvaluationState {
  /** `scope.now` of the evaluation in progress: what `$now()` / `$millis()` return. */
  now: number | undefined;
  /** JSONata nodes currently being evaluated (AST depth plus call depth). */
  depth: number;
  /** Nodes entered so far; the clock is read only every few hundred of them. */
  ticks: number;
  /** `performance.now()` after which the evaluation is stopped; 0 until the first clock read. */
  deadline: number;
  /** Written-out sizes of the objects counted so far (`budgets.ts`); made at the first one. */
  sizes: WeakMap<object, number> | undefined;
}

export const state: EvaluationState = { now: undefined, depth: 0, ticks: 0, deadline: 0, sizes: undefined };

/** Wall time one evaluation may take. A safety valve, not a semantic: flows must stay far below. */
export const TIME_BUDGET_MS = 100;

/**
 * Starts the evaluation's clock at its first call and stops the evaluation once the budget is
 * spent. Called every few hundred nodes, and around every native call that may take long.
 */
export function checkClock(): void {
  const now = performance.now();
  if (state.deadline === 0) state.deadline = now + TIME_BUDGET_MS;
  else if (now > state.deadline) throw new SandboxViolation(`took longer than ${TIME_BUDGET_MS} ms: is there an endless loop?`);
}

/**
 * Thrown from inside JSONata by the sandbox (hooks, overridden functions). Carries only the
 * reason: the compiled expression turns it into an `ExpressionError` naming source and `where`.
 */
export class SandboxViolation extends Error {
  override readonly name = 'SandboxViolation';
}

/** Property names that lead from data to JS machinery; never readable, never writable as keys. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = RESERVED_KEYS;

/**
 * Keys by which JSONata recognises its own functions. An object carrying one, if it could be
 * built from data, would be run by JSONata as a function whose body and environment we did not
 * compile: refused as object-constructor keys, like `FORBIDDEN_KEYS`.
 */
export const JSONATA_MARKER_KEYS: ReadonlySet<string> = new Set(['_jsonata_lambda', '_jsonata_function']);

/**
 * Set by the compile-time check on object-constructor key expressions that are not literals
 * (`{ (vars.k): 1 }`, group-by keys from data): the runtime hook refuses them the same keys.
 */
export const DYNAMIC_KEY: unique symbol = Symbol('runloom.expr.dynamicKey');

/**
 * Set by the compile-time check on the procedure of every call (`$f` in `$f(x)`): JSONata
 * writes `token`/`position` onto whatever object it is about to call, data included, before
 * finding it is not a function. The runtime hook refuses the call first.
 */
export const PROCEDURE: unique symbol = Symbol('runloom.expr.procedure');

/**
 * Set by the compile-time check on each step of a path, pointing to the path: the budget
 * counts the items a path collects from its steps before JSONata flattens them (`budgets.ts`).
 */
export const PATH_OF: unique symbol = Symbol('runloom.expr.pathOf');

export function isRefusedKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key) || JSONATA_MARKER_KEYS.has(key);
}
