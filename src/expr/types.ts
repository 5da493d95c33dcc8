/**
 * The contract of compiled expressions. Expressions are JSONata, compiled once per flow
 * version; evaluation is synchronous and pure (no clock, no randomness, no I/O), so the
 * engine core can call it inside `advance()`.
 */

/** What an expression can see. Every field is optional data; nothing here is a JS object with behaviour. */
export interface ExprScope {
  readonly input?: unknown;
  readonly vars?: Record<string, unknown>;
  readonly steps?: Record<string, unknown>;
  readonly item?: unknown;
  readonly index?: number;
  readonly run?: Record<string, unknown>;
  readonly swarm?: unknown;
  readonly entity?: unknown;
  readonly env?: Record<string, unknown>;
  /** Epoch ms that `$now()` / `$millis()` return: time comes in on the event, never from the clock. */
  readonly now?: number;
}

/** A compiled `=expression` or edge condition. */
export interface CompiledExpr {
  readonly source: string;
  /** Throws ExpressionError naming the expression and `where` on failure. */
  evaluate(scope: ExprScope): unknown;
}

/**
 * A compiled value template: any JSON value where strings starting with `=` are expressions
 * (`"==x"` escapes a literal leading `=`). Constant parts are kept as-is, so evaluating a
 * constant template allocates nothing.
 */
export interface CompiledValue {
  readonly isConstant: boolean;
  evaluate(scope: ExprScope): unknown;
}

/** A compiled prompt/text template with `{{ expression }}` holes. */
export interface CompiledTemplate {
  readonly source: string;
  render(scope: ExprScope): string;
}
