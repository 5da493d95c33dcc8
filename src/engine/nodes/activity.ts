/**
 * task, ai and ux nodes: the engine evaluates the input and asks the shell to execute the
 * step; the runtime dispatches on the node type, so new kinds of work plug in there.
 */
import type { ActivityNode } from '../../flow/compiled.js';
import type { Mutable } from '../../mutable.js';
import { withinLimits } from '../limits.js';
import { expressionFailure, failStep } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { Effect, PendingStep, Token } from '../types.js';
import { addPending, log, putToken, scopeFor, type Work } from '../work.js';
import { armBoundaryTimers, countStep } from './common.js';

type StepExecute = Extract<Effect, { type: 'step.execute' }>;

const NO_SCOPE = {};

function idempotencyKey(w: Work, nodeId: string, attempt: number, token: Token, item?: number): string {
  const branch = item === undefined ? token.branch : `${token.branch}[${item}]`;
  const visit = token.visit > 1 ? `@${token.visit}` : '';
  return `${w.s.meta.id}:${nodeId}:${attempt}:${branch}${visit}`;
}

/** Emits the step.execute effect for `token` at an activity (or one item of a map). */
export function executeActivity(
  w: Work,
  token: Token,
  node: ActivityNode,
  nodeId: string,
  attempt: number,
  input: unknown,
  estimate: number,
  item?: number,
): number {
  const key = idempotencyKey(w, nodeId, attempt, token, item);
  // Optional fields are set only when present: a state must equal itself after a JSON round trip.
  const pending: Mutable<PendingStep> = {
    kind: 'step',
    token: token.id,
    branch: token.branch,
    node: token.node,
    attempt,
    startedAt: w.at,
    estimate,
    input,
    idempotencyKey: key,
  };
  if (item !== undefined) pending.item = item;
  const seq = addPending(w, pending);
  const effect: Mutable<StepExecute> = {
    type: 'step.execute',
    seq,
    nodeId,
    nodeType: node.type,
    attempt,
    input,
    idempotencyKey: key,
  };
  if (node.timeout !== undefined) effect.timeout = node.timeout;
  if (item !== undefined) effect.item = item;
  w.effects.push(effect);
  return seq;
}

export function enterActivity(w: Work, token: Token, node: ActivityNode): void {
  let input: unknown;
  try {
    // A constant input needs no scope (most inputs of most steps).
    input = node.input.isConstant ? node.input.evaluate(NO_SCOPE) : node.input.evaluate(scopeFor(w));
  } catch (error) {
    failStep(w, countStep(w, token), expressionFailure(error));
    return;
  }
  const estimate = node.estimateCost(input);
  if (!withinLimits(w, estimate)) return;
  const counted = countStep(w, token);
  const seq = executeActivity(w, counted, node, node.id, counted.attempt, input, estimate);
  const started = tokenWith(counted, { status: 'running', seq });
  putToken(w, armBoundaryTimers(w, started, node));
  log(w, 'step.started', started, { seq, attempt: counted.attempt, input });
}

/** Runs the step again after a failure (attempt + 1), keeping the token's boundary timers. */
export function retryActivity(w: Work, token: Token, node: ActivityNode, input: unknown, estimate: number): void {
  const attempt = token.attempt + 1;
  const seq = executeActivity(w, token, node, node.id, attempt, input, estimate);
  const next = tokenWith(token, { status: 'running', attempt, seq, waitingFor: undefined });
  putToken(w, next);
  log(w, 'step.started', next, { seq, attempt, input });
}
