/**
 * `fail` — fails its step with the given error code, never retried: a flow's way to end a
 * branch in error on purpose (a BPMN error end event imports as one). An error boundary on
 * the node catches it by code; otherwise the branch fails.
 *
 * @example
 * - id: rejected
 *   action: fail
 *   input: { code: ORDER_REJECTED, message: '=\"order \" & input.id & \" rejected\"' }
 */
import { z } from 'zod';
import { RunloomError } from '../../errors.js';
import { defineAction } from '../action.js';

export const failAction = defineAction({
  name: 'fail',
  description: 'Fails the step with the given error code and message (not retried).',
  input: z.object({ code: z.string().min(1), message: z.string().optional() }),
  cost: 0,
  run: ({ code, message }): never => {
    throw new RunloomError(code, message ?? `failed with ${code}`, { retryable: false });
  },
});
