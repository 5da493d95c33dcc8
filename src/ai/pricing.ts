/**
 * Prices and credits (SPEC F4.4). A price is US dollars per 1M tokens, input and output apart;
 * usage becomes credits (1 credit = 1/1000 US cent unless configured otherwise).
 *
 * Accounting is in exact integers: prices are held in micro-dollars per 1M tokens, the cost of
 * a call is computed with BigInt and rounded up to a whole credit once per call, so the cost
 * of a step is the exact sum of its calls and a run's usage the exact sum of its steps.
 */
import { RunloomError } from '../errors.js';

/** US dollars per 1M tokens. */
export interface Price {
  readonly input: number;
  readonly output: number;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** 1 credit = 1/1000 US cent: 100,000 credits to the dollar. */
export const DEFAULT_CREDITS_PER_USD = 100_000;

/**
 * Prices of well-known models (USD per 1M tokens, list prices when this table was written),
 * used when the config names the model without a `price`. A config price always wins.
 */
export const KNOWN_PRICES: Readonly<Record<string, Price>> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4-0': { input: 3, output: 15 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-3-5-haiku-latest': { input: 0.8, output: 4 },
  'claude-haiku-4-5': { input: 1, output: 5 },
};

const MICRO = 1_000_000n;
const PER_MILLION = 1_000_000n;

/** A price in whole micro-dollars per 1M tokens; more decimals than that are refused. */
function micros(usd: number, what: string): bigint {
  if (!Number.isFinite(usd) || usd < 0) throw new RunloomError('CONFIG_INVALID', `${what} must be a number ≥ 0, not ${usd}`);
  const scaled = Math.round(usd * 1e6);
  if (Math.abs(scaled - usd * 1e6) > 1e-6 * Math.max(1, usd * 1e6)) {
    throw new RunloomError('CONFIG_INVALID', `${what} has more than 6 decimals (${usd})`);
  }
  return BigInt(scaled);
}

export interface Pricing {
  readonly price: Price;
  /** Credits of a call with this usage, rounded up to a whole credit. */
  credits(usage: TokenUsage): number;
}

/**
 * Turns a price into a credit calculator. `creditsPerUsd` must be a positive integer (credits
 * are integers; a fractional rate would make every sum inexact).
 */
export function pricing(price: Price, creditsPerUsd: number = DEFAULT_CREDITS_PER_USD, what = 'price'): Pricing {
  if (!Number.isSafeInteger(creditsPerUsd) || creditsPerUsd <= 0) {
    throw new RunloomError('CONFIG_INVALID', `creditsPerUsd must be a positive integer, not ${creditsPerUsd}`);
  }
  const input = micros(price.input, `${what}.input`);
  const output = micros(price.output, `${what}.output`);
  const rate = BigInt(creditsPerUsd);
  // credits = ceil((in·pIn + out·pOut) µUSD/1M · rate / (1e6 µUSD · 1e6 tokens))
  const denominator = MICRO * PER_MILLION;
  return {
    price,
    credits(usage) {
      const numerator = (BigInt(tokens(usage.inputTokens)) * input + BigInt(tokens(usage.outputTokens)) * output) * rate;
      return Number((numerator + denominator - 1n) / denominator);
    },
  };
}

function tokens(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RunloomError('USAGE_INVALID', `a token count must be an integer ≥ 0, not ${n}`);
  return n;
}
