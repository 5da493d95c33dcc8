/**
 * Text templates with `{{ expression }}` holes (prompts, messages). Compiled once into
 * literal pieces and compiled expressions; rendering concatenates.
 */
import { ExpressionError } from '../errors.js';
import { compileExpression } from './compile-expression.js';
import type { CompiledExpr, CompiledTemplate, ExprScope } from './types.js';

/**
 * Compiles `text`. A hole ends at the first `}}` after which its expression parses, so object
 * constructors (`{{ {'a': {'b': 1}} }}`) work. An unclosed `{{` is an ExpressionError.
 * Rendering: strings as-is, numbers and booleans via String(), objects and arrays as JSON,
 * undefined and null as ''.
 *
 * @example
 * compileTemplate('Hello {{ vars.name }}, you have {{ $count(vars.items) }} items', 'nodes[2].prompt')
 *   .render({ vars: { name: 'Ada', items: [1, 2] } }); // 'Hello Ada, you have 2 items'
 */
export function compileTemplate(text: string, where: string): CompiledTemplate {
  const literals: string[] = [];
  const holes: CompiledExpr[] = [];
  let at = 0;
  for (let open = text.indexOf('{{'); open !== -1; open = text.indexOf('{{', at)) {
    literals.push(text.slice(at, open));
    const { hole, end } = compileHole(text, open, where);
    holes.push(hole);
    at = end;
  }
  literals.push(text.slice(at));
  if (holes.length === 0) return { source: text, render: () => text };
  return {
    source: text,
    render: (scope: ExprScope) => {
      let out = literals[0];
      for (let i = 0; i < holes.length; i++) out += stringify(holes[i].evaluate(scope)) + literals[i + 1];
      return out;
    },
  };
}

/** Tries each `}}` after `open` in turn; reports the first candidate's error if none compiles. */
function compileHole(text: string, open: number, where: string): { hole: CompiledExpr; end: number } {
  let firstError: unknown;
  for (let close = text.indexOf('}}', open + 2); close !== -1; close = text.indexOf('}}', close + 1)) {
    try {
      return { hole: compileExpression(text.slice(open + 2, close).trim(), where), end: close + 2 };
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError !== undefined) throw firstError;
  throw new ExpressionError(text.slice(open), where, `\`{{\` at offset ${open} is never closed with \`}}\``);
}

function stringify(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'undefined':
      return '';
    case 'object':
      return value === null ? '' : JSON.stringify(value);
    default:
      return String(value);
  }
}
