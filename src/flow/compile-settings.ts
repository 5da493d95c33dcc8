/**
 * Run-wide settings resolved at compile time: limits, what to do on each limit, retry
 * policies (node > action > flow default > built-in) and cost estimates.
 */
import type { ActionDefinition } from '../actions/action.js';
import type { LimitAction, LimitName, Limits, RetryPolicy } from './compiled.js';
import { parseDuration } from './duration.js';
import type { DefaultsDefinition, RetryDefinition } from './schema.js';

/**
 * "No limit". Infinity does not survive JSON (it becomes null) and limits travel inside run
 * state, so an absent maxCredits is the largest safe integer instead.
 */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export const DEFAULT_LIMITS: Limits = { maxSteps: 1000, maxTime: 3_600_000, maxCredits: NO_LIMIT, maxParallel: 10 };
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 1,
  backoff: 'exponential',
  initialDelay: 1000,
  maxDelay: 60_000,
  factor: 2,
};
export const DEFAULT_LIMIT_ACTION: LimitAction = 'fail';

export function resolveLimits(defaults: DefaultsDefinition | undefined): Limits {
  const limits = defaults?.limits ?? {};
  return {
    maxSteps: limits.maxSteps ?? DEFAULT_LIMITS.maxSteps,
    maxTime: limits.maxTime === undefined ? DEFAULT_LIMITS.maxTime : parseDuration(limits.maxTime, 'defaults.limits.maxTime'),
    maxCredits: limits.maxCredits ?? DEFAULT_LIMITS.maxCredits,
    maxParallel: limits.maxParallel ?? DEFAULT_LIMITS.maxParallel,
  };
}

export function resolveOnLimit(defaults: DefaultsDefinition | undefined): Record<LimitName, LimitAction> {
  const onLimit = defaults?.onLimit;
  if (typeof onLimit === 'string') return { maxSteps: onLimit, maxTime: onLimit, maxCredits: onLimit };
  return {
    maxSteps: onLimit?.maxSteps ?? DEFAULT_LIMIT_ACTION,
    maxTime: onLimit?.maxTime ?? DEFAULT_LIMIT_ACTION,
    maxCredits: onLimit?.maxCredits ?? DEFAULT_LIMIT_ACTION,
  };
}

type RetryLayer = RetryDefinition | Partial<RetryPolicy> | undefined;

/** Field by field, later layers win: `resolveRetry(flowDefault, action.retry, node.retry)`. */
export function resolveRetry(where: string, ...layers: RetryLayer[]): RetryPolicy {
  let policy: RetryPolicy = DEFAULT_RETRY;
  for (const layer of layers) {
    if (!layer) continue;
    policy = {
      maxAttempts: layer.maxAttempts ?? policy.maxAttempts,
      backoff: layer.backoff ?? policy.backoff,
      initialDelay:
        layer.initialDelay === undefined ? policy.initialDelay : parseDuration(layer.initialDelay, `${where}.initialDelay`),
      maxDelay: layer.maxDelay === undefined ? policy.maxDelay : parseDuration(layer.maxDelay, `${where}.maxDelay`),
      factor: layer.factor ?? policy.factor,
    };
  }
  return policy;
}

const ZERO = () => 0;

/**
 * Credits a step is expected to cost for an input: the node's `cost`, else the action's fixed
 * cost, else its estimate from the input (parsed by the action's schema; input the schema
 * refuses, or an estimate that throws or is not a positive number, estimates 0), else 0.
 */
export function costEstimator(
  nodeCost: number | undefined,
  action: ActionDefinition<unknown, unknown> | undefined,
): (input: unknown) => number {
  if (nodeCost !== undefined) return () => nodeCost;
  const cost = action?.cost;
  if (typeof cost === 'number') return () => cost;
  if (typeof cost !== 'function' || !action) return ZERO;
  return (input) => {
    const parsed = action.input.safeParse(input);
    if (!parsed.success) return 0;
    try {
      const estimate = cost(parsed.data);
      return Number.isFinite(estimate) && estimate > 0 ? estimate : 0;
    } catch {
      return 0;
    }
  };
}
