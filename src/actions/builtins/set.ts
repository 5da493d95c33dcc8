/**
 * `set` — assigns variables. Returns its input unchanged; the node's `output` mapping decides
 * where it lands: with `output: order`, the step's result is written to `vars.order`.
 *
 * @example
 * - id: remember
 *   action: set
 *   input: { total: '=input.amount * 1.2', currency: EUR }
 *   output: order        # vars.order = { total: …, currency: 'EUR' }
 */
import { z } from 'zod';
import { defineAction } from '../action.js';

// looseObject, not z.record: same meaning (any object, keys kept) at a third of the cost,
// and still representable in JSON Schema. No output schema: the output is the parsed input.
const values = z.looseObject({});

export const setAction = defineAction({
  name: 'set',
  description: 'Returns its input object unchanged, so the node `output` mapping stores it in vars.',
  input: values,
  cost: 0,
  run: (input) => input,
});
