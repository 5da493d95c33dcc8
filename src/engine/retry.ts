/** Retries with backoff: a failed step runs again after a delay until its attempts are spent. */
import type { ErrorInfo } from '../errors.js';
import type { ActivityNode, MapNode, RetryPolicy } from '../flow/compiled.js';
import { limitCrossed, reachLimit } from './limits.js';
import { executeActivity, retryActivity } from './nodes/activity.js';
import { retryMapItem } from './nodes/map.js';
import { tokenWith } from './token.js';
import type { PendingEffect, Token } from './types.js';
import { addPending, findToken, isActive, log, putToken, settlePending, type Work } from './work.js';

export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  if (policy.backoff === 'fixed') return policy.initialDelay;
  return Math.min(policy.maxDelay, policy.initialDelay * policy.factor ** (attempt - 1));
}

export function shouldRetry(policy: RetryPolicy, attempt: number, error: ErrorInfo): boolean {
  return error.retryable !== false && attempt < policy.maxAttempts;
}

type StepPending = Extract<PendingEffect, { kind: 'step' }>;

/** Schedules (or, with no delay, starts) the next attempt of a failed step or map item. */
export function scheduleRetry(w: Work, token: Token, pending: StepPending, policy: RetryPolicy, error: ErrorInfo): void {
  const attempt = pending.attempt;
  const delay = backoffDelay(policy, attempt);
  log(w, 'step.retrying', token, { attempt: attempt + 1, delay, error: error.code });
  const immediate = delay <= 0;
  const fireAt = w.at + Math.max(0, delay);
  // The input is kept for the retry: re-evaluating could see vars other branches changed since.
  // Without a delay no timer is needed: the retry is due at once and `drive` starts it.
  const seq = addPending(w, {
    kind: 'timer',
    token: token.id,
    purpose: 'retry',
    fireAt,
    input: pending.input,
    estimate: pending.estimate,
    ...(pending.item === undefined ? {} : { item: pending.item }),
    ...(immediate ? { due: true } : {}),
  });
  if (!immediate) w.effects.push({ type: 'timer.start', seq, fireAt });
  if (pending.item === undefined) putToken(w, tokenWith(token, { status: 'waiting', waitingFor: 'retry', seq }));
}

/** Starts retries whose delay is over, oldest first, while the run is active and slots are free. */
export function startDueRetries(w: Work): boolean {
  if (w.counts.due === 0) return false;
  let started = false;
  // The due ones first: starting a retry changes the pending map this would iterate.
  const due: number[] = [];
  for (const key in w.s.pending) {
    const pending = w.s.pending[key];
    if (pending.kind === 'timer' && pending.due) due.push(Number(key));
  }
  for (const seq of due) {
    const pending = w.s.pending[seq] as Extract<PendingEffect, { kind: 'timer' }>;
    if (!isActive(w.s) || w.counts.inflight >= w.s.limits.maxParallel) break;
    // An attempt spends time and credits like any step (it is not a new step: maxSteps does not
    // apply). Stopped here, the retry stays due: raising the limit and resuming runs it.
    const crossed = limitCrossed(w, pending.estimate ?? 0, false);
    if (crossed) {
      reachLimit(w, crossed);
      break;
    }
    const token = findToken(w, pending.token) as Token;
    settlePending(w, seq);
    rerun(w, tokenWith(token, { seq: undefined }), { input: pending.input, estimate: pending.estimate ?? 0, item: pending.item });
    started = true;
  }
  return started;
}

/** Runs the next attempt now. */
export function rerun(w: Work, token: Token, pending: { input: unknown; estimate: number; item?: number }): void {
  const node = w.flow.nodes[token.node];
  if (pending.item !== undefined && node.type === 'map') {
    const attempt = retryMapItem(w, token, pending.item);
    executeActivity(
      w,
      token,
      token.visit,
      (node as MapNode).body as ActivityNode,
      node.id,
      attempt,
      pending.input,
      pending.estimate,
      pending.item,
    );
    return;
  }
  retryActivity(w, token, node as ActivityNode, pending.input, pending.estimate);
}
