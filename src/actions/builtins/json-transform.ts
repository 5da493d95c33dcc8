/**
 * `json.transform` — reshapes data with a JSONata expression, in the same sandbox as every
 * other Runloom expression (no I/O, no clock, no host objects).
 *
 * The expression is plain JSONata, without the leading `=`: a node input string starting with
 * `=` is evaluated by the engine before the action sees it. `data` is the expression's input
 * document (`$`). Compiled expressions are cached by source text.
 *
 * @example
 * - id: totals
 *   action: json.transform
 *   input:
 *     expression: '{ "count": $count(items), "sum": $sum(items.price) }'
 *     data: '=vars.order'
 *   output: totals       # vars.totals = { result: { count: 3, sum: 42 } }
 */
import { z } from 'zod';
import { compileExpression } from '../../expr/index.js';
import type { ExprScope } from '../../expr/types.js';
import { defineAction } from '../action.js';
import { createCompiledCache } from './compiled-cache.js';

const expressions = createCompiledCache((source) => compileExpression(source, 'json.transform input.expression'));

export const jsonTransformAction = defineAction({
  name: 'json.transform',
  description: 'Evaluates a JSONata expression against `data` and returns { result }.',
  input: z.object({ expression: z.string().min(1), data: z.unknown() }),
  output: z.object({ result: z.unknown() }),
  cost: 0,
  run: ({ expression, data }) => ({ result: expressions.get(expression).evaluate(data as ExprScope) }),
});
