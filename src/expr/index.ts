/**
 * Expressions: sandboxed JSONata, compiled once per flow version, evaluated synchronously.
 * `=expression` strings in node inputs (`compileValue`), edge conditions (`compileExpression`),
 * `{{ expression }}` text (`compileTemplate`).
 */
export { compileExpression, validateExpression } from './compile-expression.js';
export { compileValue, isExpression } from './compile-value.js';
export { findReservedKey, RESERVED_KEYS } from './reserved-keys.js';
export { compileTemplate } from './template.js';
export type { CompiledExpr, CompiledTemplate, CompiledValue, ExprScope } from './types.js';
