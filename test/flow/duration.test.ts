import { describe, expect, it } from 'vitest';
import { durationProblem, parseDuration } from '../../src/flow/index.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    [250, 250],
    [0, 0],
  ] as const)('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['10', '10 minutes', '1x', '', 'm5', '-5s'])('refuses %j with a clear error', (text) => {
    expect(() => parseDuration(text, 'nodes[2].timeout')).toThrow(/^nodes\[2\]\.timeout: .* (is not a duration|has no unit)/);
  });

  it('refuses negative and non-finite numbers', () => {
    expect(durationProblem(-1)).toMatch(/>= 0/);
    expect(durationProblem(Number.POSITIVE_INFINITY)).toMatch(/finite/);
    expect(durationProblem(true)).toMatch(/expected a duration/);
  });

  it('says the unit is missing', () => {
    expect(durationProblem('30')).toBe(
      '"30" has no unit; use a number of milliseconds or a number with a unit: 500ms, 30s, 10m, 1h, 2d (parts may be combined: 1h30m)',
    );
  });
});
