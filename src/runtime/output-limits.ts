/**
 * What a step may hand its run: an output must be storable, since it goes into the run's state
 * and log as JSON. One too deep overflowed the stack of `JSON.stringify` inside the commit (a
 * 100,000-deep array from an HTTP answer), and one too large stalled the writer; either way the
 * commit failed and the run was left `running` with nobody driving it. Checked when the step
 * ends, before the engine sees the result, so such an output fails its step like any error.
 */
import { RunloomError } from '../errors.js';

export interface OutputLimits {
  /** Most bytes of a step's output as JSON (about: strings count their UTF-16 length). */
  readonly maxBytes: number;
  /** Most levels of nested arrays and objects in a step's output. */
  readonly maxDepth: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 512 };

/**
 * Why `output` cannot be stored under `limits`, or undefined when it can. Walks the value
 * without recursion (a deep value cannot overflow the check itself) and stops at the first limit
 * crossed, so its cost is bounded by the limits, not by the value: a cycle only goes deeper, and
 * a value that repeats one object many times only grows larger.
 */
export function unstorableOutput(nodeId: string, output: unknown, limits: OutputLimits): RunloomError | undefined {
  if (output === null || typeof output !== 'object') return typeof output === 'bigint' ? notJson(nodeId) : undefined;
  const values: unknown[] = [output];
  const depths: number[] = [1];
  let bytes = 0;
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop() as number;
    if (typeof value === 'string') bytes += value.length + 2;
    else if (typeof value === 'bigint') return notJson(nodeId);
    else if (value === null || typeof value !== 'object') bytes += 8;
    else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') bytes += 32;
    else {
      if (depth > limits.maxDepth) return tooDeep(nodeId, limits.maxDepth);
      bytes += 2;
      if (Array.isArray(value)) {
        for (const item of value) {
          values.push(item);
          depths.push(depth + 1);
          bytes += 1;
        }
      } else {
        for (const key in value) {
          if (!Object.hasOwn(value, key)) continue;
          values.push((value as Record<string, unknown>)[key]);
          depths.push(depth + 1);
          bytes += key.length + 4;
        }
      }
    }
    if (bytes > limits.maxBytes) return tooLarge(nodeId, limits.maxBytes);
  }
  return undefined;
}

const hint = 'RunloomOptions.outputLimits, or RUNLOOM_STEP_OUTPUT_MAX_BYTES / RUNLOOM_STEP_OUTPUT_MAX_DEPTH for the CLI';

const tooDeep = (nodeId: string, maxDepth: number) =>
  new RunloomError(
    'STEP_OUTPUT_TOO_DEEP',
    `step '${nodeId}' returned an output nested deeper than ${maxDepth} levels, which cannot be stored (limit: ${hint})`,
    { details: { nodeId, maxDepth } },
  );

const tooLarge = (nodeId: string, maxBytes: number) =>
  new RunloomError(
    'STEP_OUTPUT_TOO_LARGE',
    `step '${nodeId}' returned an output larger than ${maxBytes} bytes as JSON, which cannot be stored (limit: ${hint})`,
    { details: { nodeId, maxBytes } },
  );

const notJson = (nodeId: string) =>
  new RunloomError('STEP_OUTPUT_INVALID', `step '${nodeId}' returned a BigInt, which JSON cannot store`, {
    details: { nodeId },
  });
