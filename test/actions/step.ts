/** A step context for tests: fresh signal, a log that records, everything overridable. */
import type { InvokeContext } from '../../src/actions/registry.js';

export interface LogLine {
  message: string;
  data: unknown;
  level: string | undefined;
}

export function testStep(
  overrides: Partial<InvokeContext> = {},
): InvokeContext & { controller: AbortController; lines: LogLine[] } {
  const controller = new AbortController();
  const lines: LogLine[] = [];
  return {
    runId: 'run-1',
    nodeId: 'node-a',
    attempt: 1,
    idempotencyKey: 'run-1:node-a:1:0',
    signal: controller.signal,
    log: (message, data, level) => lines.push({ message, data, level }),
    controller,
    lines,
    ...overrides,
  };
}
