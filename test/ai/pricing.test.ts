import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CREDITS_PER_USD, pricing } from '../../src/ai/pricing.js';

describe('pricing', () => {
  it('turns usage into whole credits, 1 credit = 1/1000 cent by default', () => {
    // gpt-4o-mini: $0.15 in, $0.60 out per 1M → 1M in + 1M out = $0.75 = 75,000 credits
    const p = pricing({ input: 0.15, output: 0.6 });
    expect(DEFAULT_CREDITS_PER_USD).toBe(100_000);
    expect(p.credits({ inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(75_000);
    // 1,000 in = $0.00015 = 15 credits exactly; 1 token out = 0.06 credits → rounds up to 1
    expect(p.credits({ inputTokens: 1000, outputTokens: 0 })).toBe(15);
    expect(p.credits({ inputTokens: 0, outputTokens: 1 })).toBe(1);
    expect(p.credits({ inputTokens: 0, outputTokens: 0 })).toBe(0);
  });

  it('is exact where floating point is not (0.1 + 0.2)', () => {
    const p = pricing({ input: 0.1, output: 0.2 }, 1_000_000);
    // 10M in at $0.1 + 10M out at $0.2 = $3 → 3,000,000 credits at 1e6 per USD
    expect(p.credits({ inputTokens: 10_000_000, outputTokens: 10_000_000 })).toBe(3_000_000);
  });

  it('never charges less than the exact price, and less than one credit more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (inputTokens, outputTokens, inMicros, outMicros) => {
          const p = pricing({ input: inMicros / 1000, output: outMicros / 1000 });
          const credits = p.credits({ inputTokens, outputTokens });
          // exact value in units of 1e-9 credit, with integers only
          const exact = (BigInt(inputTokens) * BigInt(inMicros) + BigInt(outputTokens) * BigInt(outMicros)) * 100_000n;
          const scale = 1_000n * 1_000_000n;
          expect(Number.isInteger(credits)).toBe(true);
          expect(BigInt(credits) * scale >= exact).toBe(true);
          expect(BigInt(credits) * scale - exact < scale).toBe(true);
        },
      ),
    );
  });

  it('refuses prices and rates that cannot be exact', () => {
    expect(() => pricing({ input: -1, output: 0 })).toThrow(/price.input must be a number ≥ 0/);
    expect(() => pricing({ input: 0.0000001, output: 0 })).toThrow(/more than 6 decimals/);
    expect(() => pricing({ input: 1, output: 1 }, 2.5)).toThrow(/creditsPerUsd must be a positive integer/);
    expect(() => pricing({ input: 1, output: 1 }).credits({ inputTokens: 1.5, outputTokens: 0 })).toThrow(/integer ≥ 0/);
  });
});
