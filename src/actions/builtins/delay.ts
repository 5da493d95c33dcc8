/**
 * `delay` — waits in process, up to 24 hours, and gives up as soon as the step is cancelled.
 *
 * The wait lives in memory: a restart re-runs the step from the start. For long or durable
 * waits use a `timer` node, which is stored and fires once across restarts.
 *
 * @example
 * - id: cool-down
 *   action: delay
 *   input: { ms: 2000 }
 */
import { z } from 'zod';
import { defineAction } from '../action.js';
import { cancelled } from '../action-errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export const delayAction = defineAction({
  name: 'delay',
  description: 'Waits `ms` milliseconds (at most 24 h); abortable.',
  input: z.object({ ms: z.number().min(0).max(DAY_MS) }),
  output: z.object({ waitedMs: z.number() }),
  cost: 0,
  run: ({ ms }, ctx) =>
    new Promise<{ waitedMs: number }>((resolve, reject) => {
      const { signal } = ctx;
      if (signal.aborted) {
        reject(cancelled('delay', signal.reason));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(cancelled('delay', signal.reason));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve({ waitedMs: ms });
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    }),
});
