import { expect } from 'vitest';
import { ExpressionError } from '../../src/errors.js';
import { compileExpression } from '../../src/expr/index.js';

export interface Timed {
  readonly value?: unknown;
  readonly error?: ExpressionError;
  readonly ms: number;
}

/** Compiles and evaluates `source`, timing both; any failure must be an ExpressionError. */
export function timed(source: string, where: string, scope: object = { now: 0 }): Timed {
  const started = performance.now();
  try {
    const value = compileExpression(source, where).evaluate(scope);
    return { value, ms: performance.now() - started };
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return { error: error as ExpressionError, ms: performance.now() - started };
  }
}
