/**
 * The compile-time half of the sandbox: walks the AST once and refuses what no expression
 * needs and an escape would: path steps and literal object keys naming `__proto__`,
 * `constructor` or `prototype`; variables starting with `__` (JSONata looks its evaluation
 * hooks up as variables `__evaluate_entry`/`__evaluate_exit`: binding one would switch the
 * sandbox off); and rebinding `$clone` (the transform operator `~> | … |` copies its input with
 * whatever `$clone` is bound to, then writes into the copy: an identity `$clone` would let it
 * write into scope data or into a lambda). Non-literal object keys and the procedures of calls
 * are marked for the runtime hook (see DYNAMIC_KEY, PROCEDURE), and so are the steps of paths
 * (PATH_OF). Regex literals are compiled for
 * RE2 here, so one RE2 lacks (a backreference, a lookaround) is refused at validation.
 */
import { ExpressionError } from '../errors.js';
import type { AstNode } from './ast.js';
import { compileRegex } from './regex.js';
import { DYNAMIC_KEY, FORBIDDEN_KEYS, isRefusedKey, PATH_OF, PROCEDURE } from './sandbox-state.js';

export function checkAst(ast: AstNode, source: string, where: string): void {
  const fail = (reason: string): never => {
    throw new ExpressionError(source, where, reason);
  };
  walk(ast, fail, new Set());
}

function walk(value: unknown, fail: (reason: string) => never, seen: Set<object>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) walk(item, fail, seen);
    return;
  }
  if (value instanceof RegExp) return;
  const node = value as AstNode;
  if (typeof node.type === 'string') checkNode(node, fail);
  for (const field of Object.keys(node)) walk(node[field], fail, seen); // own: nodes inherit parser internals
}

function checkNode(node: AstNode, fail: (reason: string) => never): void {
  const at = node.position === undefined ? '' : ` (at position ${node.position})`;
  if (node.type === 'regex' && node.value instanceof RegExp) {
    const refused = compileRegex(node.value);
    if (refused !== undefined) fail(`the regex /${node.value.source}/ ${refused}${at}`);
  }
  if (node.type === 'name' && typeof node.value === 'string' && FORBIDDEN_KEYS.has(node.value)) {
    fail(`the property \`${node.value}\` is not accessible in expressions${at}`);
  }
  for (const variable of [node.type === 'variable' ? node.value : undefined, node.focus, node.index]) {
    if (typeof variable === 'string' && variable.startsWith('__')) {
      fail(`variable names starting with \`__\` are reserved ($${variable})${at}`);
    }
  }
  for (const bound of boundNames(node)) {
    if (bound === 'clone') fail(`\`$clone\` cannot be rebound: the transform operator relies on it to copy its input${at}`);
  }
  if (node.type === 'path' && Array.isArray(node.steps)) {
    for (const step of node.steps as AstNode[]) step[PATH_OF] = node;
  }
  if ((node.type === 'function' || node.type === 'partial') && node.procedure !== undefined) {
    (node.procedure as AstNode)[PROCEDURE] = true;
  }
  // Object constructors: `{ k: v }` is a unary `{` node, `path{ k: v }` a `group` field.
  if (node.type === 'unary' && node.value === '{') checkPairs(node.lhs, fail, at);
  const group = node.group as { lhs?: unknown } | undefined;
  if (group !== undefined) checkPairs(group.lhs, fail, at);
}

/** Variables a node binds: `$x := …`, lambda parameters, `@$x` / `#$i` on path steps. */
function boundNames(node: AstNode): unknown[] {
  const names: unknown[] = [node.focus, node.index];
  if (node.type === 'bind') names.push((node.lhs as AstNode | undefined)?.value);
  if (node.type === 'lambda' && Array.isArray(node.arguments))
    for (const arg of node.arguments as AstNode[]) names.push(arg.value);
  return names;
}

function checkPairs(pairs: unknown, fail: (reason: string) => never, at: string): void {
  if (!Array.isArray(pairs)) return;
  for (const pair of pairs as unknown[][]) {
    const key = pair[0] as AstNode;
    if (key.type === 'string') {
      if (typeof key.value === 'string' && isRefusedKey(key.value)) fail(`the object key \`${key.value}\` is not allowed${at}`);
    } else {
      key[DYNAMIC_KEY] = true;
    }
  }
}
