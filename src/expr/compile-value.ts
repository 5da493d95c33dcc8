/**
 * Value templates for node `input` mappings: any JSON value in which a string starting with
 * `=` is an expression. Compiled once into a tree of closures; constant sub-trees are kept
 * as-is (same references, never copied), so outputs must be treated as read-only.
 */
import { ExpressionError } from '../errors.js';
import { compileExpression } from './compile-expression.js';
import { RESERVED_KEYS } from './reserved-keys.js';
import type { CompiledValue, ExprScope } from './types.js';

/**
 * True for a string starting with a single `=` (an expression); `==` escapes a literal `=`.
 *
 * @example
 * isExpression('=input.email'); // true
 * isExpression('==x');          // false: the text "=x"
 */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && startsWithSingleEquals(value);
}

function startsWithSingleEquals(text: string): boolean {
  return text.charCodeAt(0) === 61 && text.charCodeAt(1) !== 61; // '='
}

type Evaluate = (scope: ExprScope) => unknown;
type Node = { readonly constant: true; readonly value: unknown } | { readonly constant: false; readonly evaluate: Evaluate };

/**
 * Compiles a JSON value template. Objects and arrays recurse (`where.key`, `where[0]`);
 * `"==x"` is the string `"=x"`; an object key whose value evaluates to `undefined` is omitted,
 * and so is such an array item (as in a JSONata array constructor); null, 0, false and "" stay.
 *
 * @example
 * const input = compileValue({ to: '=input.email', plan: '=vars.plan', note: '==1' }, 'nodes[3].input');
 * input.evaluate({ input: { email: 'a@b.c' }, vars: {} }); // { to: 'a@b.c', note: '=1' }
 */
export function compileValue(value: unknown, where: string): CompiledValue {
  const node = compileNode(value, where);
  if (node.constant) {
    const constant = node.value;
    return { isConstant: true, evaluate: () => constant };
  }
  return { isConstant: false, evaluate: node.evaluate };
}

function compileNode(value: unknown, where: string): Node {
  if (typeof value === 'string') {
    if (startsWithSingleEquals(value)) return { constant: false, evaluate: compileExpression(value.slice(1), where).evaluate };
    return { constant: true, value: value.startsWith('==') ? value.slice(1) : value };
  }
  if (Array.isArray(value)) return compileArray(value, where);
  if (value !== null && typeof value === 'object') return compileObject(value as Record<string, unknown>, where);
  return { constant: true, value };
}

function compileArray(array: readonly unknown[], where: string): Node {
  const items = array.map((item, i) => compileNode(item, `${where}[${i}]`));
  if (items.every((item) => item.constant)) {
    const same = items.every((item, i) => item.constant && item.value === array[i]);
    return { constant: true, value: same ? array : items.map((item) => (item.constant ? item.value : undefined)) };
  }
  return {
    constant: false,
    evaluate: (scope) => {
      const out: unknown[] = [];
      for (const item of items) {
        const v = item.constant ? item.value : item.evaluate(scope);
        if (v !== undefined) out.push(v);
      }
      return out;
    },
  };
}

function compileObject(object: Record<string, unknown>, where: string): Node {
  const keys = Object.keys(object);
  const reserved = keys.find((key) => RESERVED_KEYS.has(key));
  if (reserved !== undefined) throw new ExpressionError(reserved, where, `the key \`${reserved}\` is reserved`);
  const values = keys.map((key) => compileNode(object[key], keyPath(where, key)));
  if (values.every((v) => v.constant)) {
    if (values.every((v, i) => v.constant && v.value === object[keys[i]])) return { constant: true, value: object };
    const copy: Record<string, unknown> = {};
    keys.forEach((key, i) => {
      const v = values[i];
      if (v.constant) copy[key] = v.value;
    });
    return { constant: true, value: copy };
  }
  return {
    constant: false,
    evaluate: (scope) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) {
        const node = values[i];
        const v = node.constant ? node.value : node.evaluate(scope);
        if (v !== undefined) out[keys[i]] = v;
      }
      return out;
    },
  };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function keyPath(where: string, key: string): string {
  return IDENTIFIER.test(key) ? `${where}.${key}` : `${where}[${JSON.stringify(key)}]`;
}
