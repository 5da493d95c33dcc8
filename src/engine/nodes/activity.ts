/**
 * task, ai and ux nodes: the engine evaluates the input and asks the shell to execute the
 * step; the runtime dispatches on the node type, so new kinds of work plug in there.
 */
import type { ActivityNode, StepNode } from '../../flow/compiled.js';
import type { Mutable } from '../../mutable.js';
import { withinLimits } from '../limits.js';
import { expressionFailure, failStep } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { Effect, PendingStep, Token } from '../types.js';
import { addPending, log, putToken, scopeFor, type Work } from '../work.js';
import { armBoundaryTimers, countStep, countVisit } from './common.js';

type StepExecute = Extract<Effect, { type: 'step.execute' }>;

const NO_SCOPE = {};

function idempotencyKey(w: Work, nodeId: string, attempt: number, branch: string, visit: number, item?: number): string {
  const where = item === undefined ? branch : `${branch}[${item}]`;
  return visit > 1 ? `${w.s.meta.id}:${nodeId}:${attempt}:${where}@${visit}` : `${w.s.meta.id}:${nodeId}:${attempt}:${where}`;
}

/**
 * Emits the step.execute effect for `token` at an activity (or one item of a map). `visit` is
 * the token's, given apart so that a step being entered needs no token just to carry it.
 */
export function executeActivity(
  w: Work,
  token: Token,
  visit: number,
  node: StepNode,
  nodeId: string,
  attempt: number,
  input: unknown,
  estimate: number,
  item?: number,
): number {
  const key = idempotencyKey(w, nodeId, attempt, token.branch, visit, item);
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
  // One new token for the step, counted and started at once (not a counted one, then another).
  const visit = countVisit(w, token);
  const seq = executeActivity(w, token, visit, node, node.id, token.attempt, input, estimate);
  const started = tokenWith(token, { visit, status: 'running', seq });
  putToken(w, armBoundaryTimers(w, started, node));
  log(w, 'step.started', started, { seq, attempt: token.attempt, input: loggedInput(node, input) });
}

/** The input as the log keeps it: without the secrets its action takes out. */
const loggedInput = (node: ActivityNode, input: unknown): unknown => (node.loggedInput ? node.loggedInput(input) : input);

/** Runs the step again after a failure (attempt + 1), keeping the token's boundary timers. */
export function retryActivity(w: Work, token: Token, node: ActivityNode, input: unknown, estimate: number): void {
  const attempt = token.attempt + 1;
  const seq = executeActivity(w, token, token.visit, node, node.id, attempt, input, estimate);
  const next = tokenWith(token, { status: 'running', attempt, seq, waitingFor: undefined });
  putToken(w, next);
  log(w, 'step.started', next, { seq, attempt, input: loggedInput(node, input) });
}
