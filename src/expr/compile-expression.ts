/**
 * Expressions are JSONata, compiled once per flow version and evaluated synchronously.
 *
 * Why jsonata 1.x: its `evaluate()` returns the value synchronously (2.x returns a Promise),
 * and the engine core is a pure synchronous function (`advance()`), so conditions and input
 * mappings must evaluate without awaiting. 1.8.7 is pinned for that reason.
 */
import { ExpressionError } from '../errors.js';
import type { Mutable } from '../mutable.js';
import { parse } from './ast.js';
import { checkAst } from './ast-check.js';
import { compileFastPath, FALLBACK } from './fast-path.js';
import { evaluateSandboxed, installSandbox } from './sandbox.js';
import type { CompiledExpr, ExprScope } from './types.js';

/**
 * Compiles a JSONata expression, written without the leading `=`. Throws ExpressionError on a
 * syntax error or a sandbox refusal; `evaluate` throws ExpressionError naming the expression
 * and `where` on a runtime error, and returns `undefined` when nothing matches.
 *
 * @example
 * const gold = compileExpression("vars.customer.tier = 'gold'", 'edges[2].when');
 * gold.evaluate({ vars: { customer: { tier: 'gold' } } }); // true
 */
export function compileExpression(source: string, where: string): CompiledExpr {
  const { expression, ast } = parse(source, where);
  checkAst(ast, source, where);
  installSandbox(expression);
  const full = (scope: ExprScope): unknown => evaluateSandboxed(expression, detached(scope), source, where);
  const fast = compileFastPath(ast);
  if (fast === undefined) return { source, evaluate: full };
  return {
    source,
    evaluate: (scope) => {
      const value = fast(scope);
      if (value === FALLBACK || value === scope) return full(scope);
      if (value === undefined || value === null || typeof value !== 'object') return value;
      return value === scope.vars || value === scope.steps ? { ...value } : value;
    },
  };
}

/**
 * The run's `vars` and `steps` objects change in place as the run goes on, and a result may be
 * kept (a step's input, a map's items): JSONata sees copies, so no result can hold the live ones.
 * What they contain is never edited, so one level is enough.
 */
function detached(scope: ExprScope): ExprScope {
  const { vars, steps } = scope;
  if (vars === undefined && steps === undefined) return scope;
  const copy: Mutable<ExprScope> = { ...scope };
  if (vars !== undefined) copy.vars = { ...vars };
  if (steps !== undefined) copy.steps = { ...steps };
  return copy;
}

/**
 * Compiles without throwing: the error, or undefined when the expression is valid. Flow
 * validation uses it to report every problem at once.
 *
 * @example
 * validateExpression('vars.(', 'nodes[3].input.email')?.message; // "nodes[3].input.email: expression `vars.(` failed: …"
 */
export function validateExpression(source: string, where: string): ExpressionError | undefined {
  try {
    compileExpression(source, where);
    return undefined;
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
}
