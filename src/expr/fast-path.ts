/**
 * Fast paths: the expressions flows are mostly made of (`input.email`, `vars.list[0]`,
 * `vars.customer.tier = 'gold'`, `true`) evaluated by a direct walk, with no JSONata and no
 * allocation. Each must give exactly what JSONata gives; where JSONata's sequence semantics
 * would kick in (a path stepping through an array, a filter yielding an array, a function
 * value) the walk answers FALLBACK and the caller evaluates with JSONata instead.
 */
import { type AstNode, isBare } from './ast.js';
import { isRefusedKey } from './sandbox-state.js';

export const FALLBACK: unique symbol = Symbol('runloom.expr.fallback');

/** Returns the value, or FALLBACK when only JSONata can tell. */
export type FastPath = (scope: unknown) => unknown;

const PATH_FIELDS: ReadonlySet<string> = new Set(['type', 'steps']);
const STEP_FIELDS: ReadonlySet<string> = new Set(['type', 'value', 'position', 'stages']);
const LEAF_FIELDS: ReadonlySet<string> = new Set(['type', 'value', 'position']);
const BINARY_FIELDS: ReadonlySet<string> = new Set(['type', 'value', 'position', 'lhs', 'rhs']);

export function compileFastPath(ast: AstNode): FastPath | undefined {
  const literal = literalOf(ast);
  if (literal !== undefined) return () => literal.value;
  return compilePath(ast) ?? compileEquality(ast);
}

function literalOf(node: AstNode): { value: unknown } | undefined {
  if (!isBare(node, LEAF_FIELDS)) return undefined;
  return node.type === 'string' || node.type === 'number' || node.type === 'value' ? { value: node.value } : undefined;
}

/** A path segment: a property name, or an integer index (`list[0]`, `list[-1]`). */
type Segment = string | number;

function segmentsOf(node: AstNode): Segment[] | undefined {
  if (node.type !== 'path' || !isBare(node, PATH_FIELDS) || !Array.isArray(node.steps)) return undefined;
  const segments: Segment[] = [];
  for (const step of node.steps as AstNode[]) {
    if (step.type !== 'name' || !isBare(step, STEP_FIELDS) || typeof step.value !== 'string') return undefined;
    // Inherited names (`toString`, …) are left to JSONata, where the sandbox refuses functions.
    if (step.value in Object.prototype || isRefusedKey(step.value)) return undefined;
    segments.push(step.value);
    if (step.stages === undefined) continue;
    const index = integerIndexOf(step.stages);
    if (index === undefined) return undefined;
    segments.push(index);
  }
  return segments;
}

function integerIndexOf(stages: unknown): number | undefined {
  if (!Array.isArray(stages) || stages.length !== 1) return undefined;
  const stage = stages[0] as AstNode;
  const expr = stage.expr as AstNode | undefined;
  if (stage.type !== 'filter' || expr === undefined || !isBare(expr, LEAF_FIELDS) || expr.type !== 'number') return undefined;
  return Number.isInteger(expr.value) ? (expr.value as number) + 0 : undefined; // `+ 0`: -0 is 0
}

function compilePath(node: AstNode): FastPath | undefined {
  const segments = segmentsOf(node);
  return segments === undefined ? undefined : (scope) => walk(scope, segments);
}

/**
 * JSONata on a path of names over non-array values: a missing key, or a step into a
 * non-object, gives undefined; null, 0, false and "" are values; the last value is returned
 * as-is, arrays included. An index on a non-array treats it as a one-item sequence.
 */
function walk(scope: unknown, segments: readonly Segment[]): unknown {
  let current = scope;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (typeof segment === 'string') {
      if (current === null || typeof current !== 'object') return undefined;
      if (Array.isArray(current)) return FALLBACK; // JSONata maps the rest of the path over the items
      current = (current as Record<string, unknown>)[segment];
      if (current === undefined) return undefined;
    } else if (Array.isArray(current)) {
      current = current[segment < 0 ? current.length + segment : segment];
      if (current === undefined) return undefined;
      if (Array.isArray(current)) return FALLBACK; // JSONata flattens nested arrays
    } else if (segment !== 0 && segment !== -1) {
      return undefined;
    }
  }
  return typeof current === 'function' ? FALLBACK : current;
}

/**
 * `path = literal` / `path != literal` (either order). JSONata: false if either side is
 * undefined, else deep equality, which against a literal (string, number, boolean, null) is `===`.
 */
function compileEquality(node: AstNode): FastPath | undefined {
  if (node.type !== 'binary' || (node.value !== '=' && node.value !== '!=') || !isBare(node, BINARY_FIELDS)) return undefined;
  const lhs = node.lhs as AstNode;
  const rhs = node.rhs as AstNode;
  const literal = literalOf(rhs) ?? literalOf(lhs);
  const segments = segmentsOf(literalOf(rhs) === undefined ? rhs : lhs);
  if (literal === undefined || segments === undefined) return undefined;
  const expected = literal.value;
  const equal = node.value === '=';
  return (scope) => {
    const actual = walk(scope, segments);
    if (actual === FALLBACK) return FALLBACK;
    if (actual === undefined) return false;
    return actual === expected ? equal : !equal;
  };
}
