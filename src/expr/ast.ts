/**
 * Parsing, and the shape of the JSONata 1.x AST as Runloom reads it. `jsonata.d.ts` types only
 * a few node fields; the parser's nodes carry more (`stages`, `group`, `focus`, …), so we read
 * them as loose records and check every field we rely on.
 */
import jsonata from 'jsonata';
import { ExpressionError } from '../errors.js';
import { DYNAMIC_KEY, PATH_OF, PROCEDURE } from './sandbox-state.js';

export interface AstNode {
  readonly type: string;
  readonly value?: unknown;
  readonly position?: number;
  [DYNAMIC_KEY]?: boolean;
  [PROCEDURE]?: boolean;
  [PATH_OF]?: AstNode;
  readonly [field: string]: unknown;
}

export interface Parsed {
  readonly expression: jsonata.Expression;
  readonly ast: AstNode;
}

/** Parses once; a syntax error becomes an ExpressionError with JSONata's reason and position. */
export function parse(source: string, where: string): Parsed {
  if (source.trim() === '') throw new ExpressionError(source, where, 'the expression is empty');
  try {
    const expression = jsonata(source);
    return { expression, ast: expression.ast() as unknown as AstNode };
  } catch (error) {
    throw new ExpressionError(source, where, describeJsonataError(error));
  }
}

/** JSONata throws plain objects `{ code, message, position, token }`, not Errors. */
export function describeJsonataError(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const { code, message, position } = error as { code?: unknown; message?: unknown; position?: unknown };
    const text = typeof message === 'string' && message !== '' ? message : 'failed';
    if (typeof code !== 'string') return text;
    return typeof position === 'number' ? `${text} (${code} at position ${position})` : `${text} (${code})`;
  }
  return String(error);
}

/**
 * True for a node with none of the fields that change what a node means (filters, grouping, …).
 * Own fields only: parser nodes inherit `id`, `lbp`, `nud` from the parser's symbol table.
 */
export function isBare(node: AstNode, allowed: ReadonlySet<string>): boolean {
  for (const field of Object.keys(node)) if (!allowed.has(field)) return false;
  return true;
}
