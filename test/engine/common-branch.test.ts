/** The branch a join hands on: the common prefix of the joined branches, in whole segments. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commonBranch } from '../../src/engine/nodes/gateway.js';

/** The definition, segment by segment. */
function bySegments(branches: readonly string[]): string {
  let parts = branches[0].split('.');
  for (const branch of branches.slice(1)) {
    const other = branch.split('.');
    let n = 0;
    while (n < parts.length && n < other.length && parts[n] === other[n]) n++;
    parts = parts.slice(0, n);
  }
  return parts.length > 0 ? parts.join('.') : '0';
}

describe('commonBranch', () => {
  it('keeps whole segments only', () => {
    expect(commonBranch(['0.1', '0.10'])).toBe('0');
    expect(commonBranch(['0.1.2', '0.1.3'])).toBe('0.1');
    expect(commonBranch(['0.1', '0.1.b0'])).toBe('0.1');
    expect(commonBranch(['0.3', '0.3'])).toBe('0.3');
    expect(commonBranch(['1', '2'])).toBe('0');
    expect(commonBranch(['0.12.1', '0.1'])).toBe('0');
  });

  it('agrees with the segment-by-segment definition on generated branches', () => {
    const segment = fc.constantFrom('0', '1', '2', '10', '11', '1b', 'b0', 'b1');
    const branch = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(fc.array(branch, { minLength: 1, maxLength: 6 }), (branches) => {
        expect(commonBranch(branches)).toBe(bySegments(branches));
      }),
      { numRuns: 5_000 },
    );
  });
});
