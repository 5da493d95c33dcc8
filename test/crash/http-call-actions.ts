/**
 * Actions the SQLite chaos test loads into `runloom worker --actions`: `test.call` makes a real
 * HTTP call to the test's loopback server, with the step's Idempotency-Key and the pid of the
 * process making it, so the server can tell which process repeated which call.
 */
import { z } from 'zod';
import { defineAction } from '../../src/actions/action.js';

export default [
  defineAction({
    name: 'test.call',
    input: z.object({ url: z.string() }),
    run: async ({ url }, ctx) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'idempotency-key': ctx.idempotencyKey, 'x-pid': String(process.pid) },
        signal: ctx.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()) as unknown;
    },
  }),
];
