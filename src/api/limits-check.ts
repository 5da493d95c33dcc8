/** A limit may be raised or lowered, but never to where the run has no room left. */
import type { RunState } from '../engine/types.js';
import { RequestError } from '../errors.js';
import type { Limits } from '../flow/compiled.js';

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Refuses a new limit the run has already reached: it would fail (or pause) at its very next
 * event, which is never what changing a limit was asked for. Names the limit and the figure.
 *
 * @example
 * checkLimitsAboveUsage(state, { maxSteps: 0 }, Date.now()); // throws: maxSteps 0 is not above the 4 steps…
 */
export function checkLimitsAboveUsage(state: RunState, limits: Partial<Limits>, now: number): void {
  const activeMs = Math.ceil(state.usage.activeMs + (state.activeSince === null ? 0 : Math.max(0, now - state.activeSince)));
  // A step or a moment more is always taken, so steps and time must stay above the usage; a
  // step may cost nothing, so credits equal to the usage still leave room.
  const used: [keyof Limits, number, string, boolean][] = [
    ['maxSteps', state.usage.steps, plural(state.usage.steps, 'step'), true],
    ['maxTime', activeMs, `${activeMs} ms of active time`, true],
    ['maxCredits', state.usage.credits, plural(state.usage.credits, 'credit'), false],
  ];
  for (const [name, figure, text, mustExceed] of used) {
    const limit = limits[name];
    if (limit === undefined || (mustExceed ? limit > figure : limit >= figure)) continue;
    const relation = mustExceed ? 'is not above' : 'is below';
    throw new RequestError('BAD_REQUEST', `${name} ${limit} ${relation} the ${text} run '${state.meta.id}' has already used`, {
      details: { limit: name, value: limit, used: figure },
    });
  }
}
