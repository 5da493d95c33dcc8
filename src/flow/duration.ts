/**
 * Durations in flow files: a number of milliseconds, or a string of one or more `<number><unit>`
 * parts with units ms, s, m, h, d (`"500ms"`, `"30s"`, `"10m"`, `"1h30m"`, `"2d"`).
 * Everything inside Runloom is milliseconds; this is the one place text becomes ms.
 */
import { RunloomError } from '../errors.js';

/** A duration as written in a flow file. */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const HINT = 'use a number of milliseconds or a number with a unit: 500ms, 30s, 10m, 1h, 2d (parts may be combined: 1h30m)';

/** Why `value` is not a duration, or undefined when it is one. */
export function durationProblem(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return `${value} is not a duration: it must be a finite number of ms >= 0`;
    return undefined;
  }
  if (typeof value !== 'string') return `expected a duration, got ${value === null ? 'null' : typeof value}; ${HINT}`;
  const text = value.trim();
  if (text === '') return `an empty string is not a duration; ${HINT}`;
  if (/^\d+(?:\.\d+)?$/.test(text)) return `"${value}" has no unit; ${HINT}`;
  if (!WHOLE.test(text)) return `"${value}" is not a duration; ${HINT}`;
  return undefined;
}

/**
 * Milliseconds in a duration.
 *
 * @example
 * parseDuration('1h30m') // 5_400_000
 * parseDuration(250)     // 250
 * @throws RunloomError with code INVALID_DURATION naming the value (and `where`, when given).
 */
export function parseDuration(value: Duration, where?: string): number {
  const problem = durationProblem(value);
  if (problem)
    throw new RunloomError('INVALID_DURATION', where ? `${where}: ${problem}` : problem, { details: { value, where } });
  if (typeof value === 'number') return value;
  let total = 0;
  for (const [, amount, unit] of value.trim().matchAll(PART)) total += Number(amount) * UNIT_MS[unit];
  return Math.round(total);
}
