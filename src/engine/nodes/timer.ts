/** Timer nodes: a duration, an `until` time, or the next cron occurrence. Durable: the shell persists them. */
import { CronExpressionParser } from 'cron-parser';
import type { ErrorInfo } from '../../errors.js';
import type { TimerNode } from '../../flow/compiled.js';
import { completeStep, expressionFailure, failStep } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { Token } from '../types.js';
import { addPending, errorOf, log, putToken, scopeFor, type Work } from '../work.js';
import { beginStep } from './common.js';

/** When the timer fires, or why it cannot be set. */
function fireTime(w: Work, node: TimerNode): number | ErrorInfo {
  if (node.duration !== undefined) return w.at + node.duration;
  if (node.until) {
    let value: unknown;
    try {
      value = node.until.evaluate(scopeFor(w));
    } catch (error) {
      return expressionFailure(error);
    }
    const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    return Number.isNaN(time)
      ? errorOf('TIMER_INVALID', `timer '${node.id}': until gave ${JSON.stringify(value)}, not a time`)
      : time;
  }
  if (node.cron)
    return CronExpressionParser.parse(node.cron, { currentDate: new Date(w.at), tz: 'UTC' })
      .next()
      .getTime();
  return errorOf('TIMER_INVALID', `timer '${node.id}' has no duration, until or cron`);
}

export function enterTimer(w: Work, token: Token, node: TimerNode): void {
  const counted = beginStep(w, token);
  if (!counted) return;
  const fireAt = fireTime(w, node);
  if (typeof fireAt !== 'number') {
    failStep(w, counted, fireAt);
    return;
  }
  if (fireAt <= w.at) {
    completeStep(w, counted, { firedAt: w.at });
    return;
  }
  const seq = addPending(w, { kind: 'timer', token: counted.id, purpose: 'timer', fireAt });
  w.effects.push({ type: 'timer.start', seq, fireAt });
  const waiting = tokenWith(counted, { status: 'waiting', waitingFor: 'timer', seq });
  putToken(w, waiting);
  log(w, 'timer.started', waiting, { seq, fireAt });
}
