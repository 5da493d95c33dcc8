/**
 * `template` — renders `{{ expression }}` holes (JSONata) against `values`.
 *
 * Holes see the fields of `values` directly (`{{ name }}`, `{{ $uppercase(city) }}`); to use
 * run data, pass it in: `values: { customer: '=vars.customer' }`. Compiled templates are cached
 * by text, so a constant template is compiled once per process.
 *
 * @example
 * - id: greeting
 *   action: template
 *   input:
 *     template: 'Hello {{ name }}, your order {{ order.id }} ships {{ order.date }}.'
 *     values: { name: '=vars.customer.name', order: '=vars.order' }
 *   output: greeting     # vars.greeting = { text: 'Hello Ada, …' }
 */
import { z } from 'zod';
import { compileTemplate } from '../../expr/index.js';
import type { ExprScope } from '../../expr/types.js';
import { defineAction } from '../action.js';
import { createCompiledCache } from './compiled-cache.js';

const templates = createCompiledCache((text) => compileTemplate(text, 'template input.template'));

export const templateAction = defineAction({
  name: 'template',
  description: 'Renders {{ expression }} holes in `template` against `values`.',
  input: z.object({
    template: z.string(),
    values: z.record(z.string(), z.unknown()).default({}),
  }),
  output: z.object({ text: z.string() }),
  cost: 0,
  // The values object is the expression's input document, so its fields are top-level names.
  run: ({ template, values }) => ({ text: templates.get(template).render(values as ExprScope) }),
});
