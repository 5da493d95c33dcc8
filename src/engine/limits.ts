/**
 * Run limits, checked before each step: steps, active time, credits. On a limit the run pauses
 * or fails as `onLimit` says; the token that was about to step stays ready so that raising the
 * limit and resuming (or retrying) continues exactly there.
 */
import type { LimitName } from '../flow/compiled.js';
import { failRun } from './outcome.js';
import type { RunReason } from './types.js';
import { activeMs, errorOf, log, setStatus, type Work } from './work.js';

const REASON: Record<LimitName, RunReason & ('max_steps' | 'max_time' | 'max_credits')> = {
  maxSteps: 'max_steps',
  maxTime: 'max_time',
  maxCredits: 'max_credits',
};

/**
 * The limit a new step would cross, if any. `cost` is the step's estimated credits. `isStep`
 * false for work that is not a node entry (a map item): maxSteps does not apply to it.
 */
export function limitCrossed(w: Work, cost: number, isStep = true): { limit: LimitName; value: number; max: number } | undefined {
  const s = w.s;
  const limits = s.limits;
  if (isStep && s.usage.steps >= limits.maxSteps) return { limit: 'maxSteps', value: s.usage.steps, max: limits.maxSteps };
  const time = activeMs(s, w.at);
  if (time >= limits.maxTime) return { limit: 'maxTime', value: time, max: limits.maxTime };
  const credits = s.usage.credits + s.reserved + cost;
  if (cost > 0 && credits > limits.maxCredits) return { limit: 'maxCredits', value: credits, max: limits.maxCredits };
  if (s.usage.credits > limits.maxCredits) return { limit: 'maxCredits', value: s.usage.credits, max: limits.maxCredits };
  return undefined;
}

export function reachLimit(w: Work, crossed: { limit: LimitName; value: number; max: number }): void {
  const reason = REASON[crossed.limit];
  const action = w.s.onLimit[crossed.limit];
  log(w, 'limit.reached', undefined, { ...crossed, action });
  if (action === 'pause') {
    setStatus(w, 'paused', reason);
    log(w, 'run.paused', undefined, { reason });
    return;
  }
  failRun(w, reason, errorOf(`LIMIT_${reason.toUpperCase()}`, `${crossed.limit} reached: ${crossed.value} of ${crossed.max}`));
}

/** Checks limits for a step about to start; false when a limit stopped the run. */
export function withinLimits(w: Work, cost: number): boolean {
  const crossed = limitCrossed(w, cost);
  if (!crossed) return true;
  reachLimit(w, crossed);
  return false;
}
