/**
 * `log` — writes one line to the run's log through `ctx.log`, at the given level.
 *
 * @example
 * - id: note
 *   action: log
 *   input: { message: 'order received', level: info, data: '=input.orderId' }
 */
import { z } from 'zod';
import { defineAction } from '../action.js';

export const logAction = defineAction({
  name: 'log',
  description: 'Writes a message (and optional data) to the run log.',
  input: z.object({
    message: z.string(),
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    data: z.unknown().optional(),
  }),
  output: z.object({ logged: z.literal(true) }),
  cost: 0,
  run: ({ message, level, data }, ctx) => {
    ctx.log(message, data, level);
    return { logged: true as const };
  },
});
