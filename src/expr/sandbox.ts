/**
 * The runtime half of the sandbox. JSONata has no I/O and no access to JS globals, but data
 * objects inherit JS methods (`vars.constructor` is `Object`) and JSONata calls any JS function
 * an expression produces. So:
 * - every JSONata node passes two hooks, `__evaluate_entry`/`__evaluate_exit` (JSONata 1.x
 *   looks them up as variables; the compile-time check keeps expressions from rebinding them);
 * - the entry hook bounds depth (recursion) and time (endless loops), reading the clock only
 *   every 256 nodes, so a small expression never reads it at all; it also makes JSONata build
 *   the regex it is about to evaluate on RE2 (`regex.ts`), linear in time;
 * - the exit hook checks each result against the size budgets (`budgets.ts`), and refuses any JS function that is not JSONata's own (a regex), and any
 *   JSONata-function look-alike that JSONata did not create from the compiled AST: nothing
 *   reached from data can be called, and no forged lambda can run an uncompiled body;
 * - lambdas are sealed as they are created (their fields made non-enumerable), so `*`, `**`,
 *   `$spread`, `$merge`, `$sift`, `$each`, `$keys` cannot copy their environment out;
 *   reading a function's property by name is refused outright;
 * - JSONata 1.x writes onto the data it is given in two places (a call of a non-function writes
 *   `token`/`position` onto it; `path[]` flags the data array): the first is refused before it
 *   happens, the second undone, so an evaluation never changes the scope.
 */
import type jsonata from 'jsonata';
import { ExpressionError } from '../errors.js';
import { type AstNode, describeJsonataError } from './ast.js';
import { checkBuilt, enterPath, leavePath, resetBudgets } from './budgets.js';
import { toPlainResult } from './plain-result.js';
import { installLinearRegex } from './regex.js';
import { installSandboxFunctions } from './sandbox-functions.js';
import { checkClock, DYNAMIC_KEY, isRefusedKey, PROCEDURE, SandboxViolation, state } from './sandbox-state.js';

/** Nested JSONata nodes allowed. The JS stack overflows near 1,300 with Node's default stack. */
export const MAX_DEPTH = 500;
const CLOCK_EVERY_MASK = 0xff;

/** Marks what JSONata created from the compiled AST: lambdas, partial applications, regexes. */
const GENUINE: unique symbol = Symbol('runloom.expr.genuine');

interface Marked {
  _jsonata_lambda?: unknown;
  _jsonata_function?: unknown;
  [GENUINE]?: true;
}

function onEntry(node: AstNode, input: unknown): void {
  if (++state.depth > MAX_DEPTH) {
    throw new SandboxViolation(
      `nesting or recursion deeper than ${MAX_DEPTH} levels: does a recursive function miss its base case?`,
    );
  }
  if ((++state.ticks & CLOCK_EVERY_MASK) === 0) checkClock();
  if (node.type === 'regex') installLinearRegex();
  else if (node.type === 'path') enterPath(node);
  if (node.type === 'name' && input !== null && typeof input === 'object' && holdsFunction(input)) {
    throw new SandboxViolation(`functions have no properties (reading \`${String(node.value)}\`)`);
  }
}

/** A JSONata function, or an array (JSONata's lookup maps over arrays, nested ones too) holding one. */
function holdsFunction(input: object): boolean {
  if (Array.isArray(input)) return input.some((item) => item !== null && typeof item === 'object' && holdsFunction(item));
  return (input as Marked)._jsonata_lambda === true || (input as Marked)._jsonata_function === true;
}

function onExit(node: AstNode, _input: unknown, _environment: unknown, result: unknown): void {
  state.depth--;
  if (node.type === 'path') leavePath(node);
  checkBuilt(node, result);
  switch (typeof result) {
    case 'object':
      if (result === null) return;
      if ((result as Marked)._jsonata_lambda === true) {
        if (node.type === 'lambda' || node.type === 'partial') seal(result as Marked);
        else if ((result as Marked)[GENUINE] !== true)
          throw new SandboxViolation('a function can only be written in the expression');
      } else if (node[PROCEDURE] === true) {
        checkCallable(result);
      } else if (Array.isArray(result)) {
        checkArray(node, result);
      }
      return;
    case 'function':
      if (node.type === 'regex') mark(result);
      else if ((result as Marked)[GENUINE] !== true) throw new SandboxViolation('a function reached from data cannot be used');
      return;
    case 'string':
      checkKey(node, result as string);
      return;
  }
}

function checkArray(node: AstNode, array: unknown[] & { sequence?: boolean; keepSingleton?: boolean }): void {
  if (array.length === 1) {
    // JSONata unwraps a one-item sequence after this hook: check the item it will become.
    const only: unknown = array[0];
    if (isForeignFunction(only)) throw new SandboxViolation('a function reached from data cannot be used');
    if (typeof only === 'string') checkKey(node, only);
  }
  // `vars.list[]` makes JSONata flag the data array itself; the flag only matters on its own
  // sequences, so take it off the caller's data again.
  if (node.keepSingletonArray === true && array.sequence !== true) delete array.keepSingleton;
}

/** A call's procedure that is an object but no function: refused before JSONata writes onto it. */
function checkCallable(value: object): void {
  const callable: unknown = Array.isArray(value) && value.length === 1 ? value[0] : value;
  const marked = callable as Marked | null;
  const functionLike =
    typeof callable === 'function' ||
    (typeof callable === 'object' && marked !== null && (marked._jsonata_function === true || marked._jsonata_lambda === true));
  if (!functionLike) throw new SandboxViolation('attempted to call something that is not a function');
  if (isForeignFunction(callable)) throw new SandboxViolation('a function reached from data cannot be used');
}

function checkKey(node: AstNode, key: string): void {
  if (node[DYNAMIC_KEY] === true && isRefusedKey(key)) throw new SandboxViolation(`the object key \`${key}\` is not allowed`);
}

function isForeignFunction(value: unknown): boolean {
  if (typeof value === 'function') return (value as Marked)[GENUINE] !== true;
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as Marked)._jsonata_lambda === true &&
    (value as Marked)[GENUINE] !== true
  );
}

function mark(target: object): void {
  Object.defineProperty(target, GENUINE, { value: true });
}

function seal(lambda: Marked): void {
  for (const field of Object.keys(lambda)) Object.defineProperty(lambda, field, { enumerable: false });
  mark(lambda);
}

/** Once per compiled expression: the overridden functions and the two hooks. */
export function installSandbox(expression: jsonata.Expression): void {
  installSandboxFunctions(expression);
  expression.assign('__evaluate_entry', onEntry);
  expression.assign('__evaluate_exit', onExit);
}

/**
 * Evaluates synchronously with the scope as JSONata's input document (so `vars.x` works).
 * Every failure, JSONata's or the sandbox's, becomes an ExpressionError naming source and where.
 */
export function evaluateSandboxed(expression: jsonata.Expression, scope: unknown, source: string, where: string): unknown {
  const now = scope !== null && typeof scope === 'object' ? (scope as { now?: unknown }).now : undefined;
  state.now = typeof now === 'number' ? now : undefined;
  state.depth = 0;
  state.ticks = 0;
  state.deadline = 0;
  resetBudgets();
  try {
    return toPlainResult(expression.evaluate(scope));
  } catch (error) {
    throw new ExpressionError(source, where, reasonOf(error));
  } finally {
    expression.assign('$', undefined); // JSONata keeps the last input bound: don't hold the scope alive
    state.now = undefined;
    resetBudgets();
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof SandboxViolation) return error.message;
  if (error instanceof RangeError && error.message.includes('call stack')) return `nested too deeply: ${error.message}`;
  if (error instanceof Error) return error.message;
  return describeJsonataError(error);
}
