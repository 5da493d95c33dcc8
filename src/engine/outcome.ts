/**
 * What happens when a step ends: its output is recorded, its token leaves along the edges
 * that apply, or — when it failed for good — an error boundary catches it or its branch fails
 * and `onBranchFailure` decides the run.
 */
import type { ErrorInfo } from '../errors.js';
import { ExpressionError } from '../errors.js';
import type { CompiledEdge, CompiledNode } from '../flow/compiled.js';
import { resetToken } from './token.js';
import type { StepDetail, Token } from './types.js';
import {
  cancelPending,
  cancelTokenWork,
  dropToken,
  errorOf,
  log,
  moved,
  newToken,
  nodeOf,
  putToken,
  recordStep,
  scopeFor,
  setStatus,
  setVar,
  type Work,
} from './work.js';

export function recordOutput(w: Work, node: CompiledNode, token: Token, output: unknown, detail?: StepDetail): void {
  recordStep(
    w,
    node.id,
    detail === undefined
      ? { status: 'completed', output, attempt: token.attempt, at: w.at }
      : { status: 'completed', output, detail, attempt: token.attempt, at: w.at },
  );
  if (node.output) setVar(w, node.output, output);
  // Keys were checked for reserved names with the rest of the output (reservedKeyFailure).
  if (node.mergeOutput && output !== null && typeof output === 'object' && !Array.isArray(output))
    for (const [key, value] of Object.entries(output)) w.s.vars[key] = value;
}

/** The step at the token's node is done: record its output and move on. */
export function completeStep(w: Work, token: Token, output: unknown, detail?: StepDetail): void {
  const node = nodeOf(w, token);
  recordOutput(w, node, token, output, detail);
  if (token.boundaryTimers) for (const seq of token.boundaryTimers) cancelPending(w, seq);
  cancelPending(w, token.timeoutSeq);
  if (token.race !== undefined) settleRace(w, token);
  leave(w, token, node);
}

/**
 * The first of a race's armed waits/timers to finish wins; the others are withdrawn. "Finish"
 * is any way out of the member's node: completion, its timeout edge, an interrupting or error
 * boundary — else two paths would go on from one race.
 */
export function settleRace(w: Work, winner: Token): void {
  if (winner.race === undefined) return;
  for (const other of w.s.tokens.slice()) {
    if (other.race !== winner.race || other.id === winner.id) continue;
    cancelTokenWork(w, other);
    dropToken(w, other.id);
    log(w, 'token.cancelled', other, { reason: 'race_lost', winner: winner.id });
  }
}

function conditionHolds(w: Work, edge: CompiledEdge): boolean {
  if (!edge.when) return true;
  return Boolean(edge.when.evaluate(scopeFor(w)));
}

/**
 * Edges a token takes when it leaves a non-exclusive node: every edge whose condition holds
 * (edges without one always hold); the default edge only when none does.
 */
export function edgesToTake(w: Work, node: CompiledNode): CompiledEdge[] {
  const taken: CompiledEdge[] = [];
  let fallback: CompiledEdge | undefined;
  for (const index of node.outgoing) {
    const edge = w.flow.edges[index];
    if (edge.isTimeout) continue;
    if (edge.isDefault) {
      fallback ??= edge;
      continue;
    }
    if (conditionHolds(w, edge)) taken.push(edge);
  }
  if (taken.length === 0 && fallback) taken.push(fallback);
  return taken;
}

/** Moves a token along edges: one edge continues the branch, several fork it. */
export function follow(w: Work, token: Token, edges: readonly CompiledEdge[]): void {
  if (edges.length === 1) {
    putToken(w, moved(token, edges[0].to, edges[0].index));
    return;
  }
  dropToken(w, token.id);
  const forked: number[] = [];
  for (let i = 0; i < edges.length; i++) {
    const child = newToken(w, edges[i].to, `${token.branch}.${i}`, edges[i].index);
    putToken(w, child);
    forked.push(child.id);
  }
  log(w, 'branch.forked', token, { tokens: forked });
}

export function leave(w: Work, token: Token, node: CompiledNode): void {
  if (node.outgoing.length === 0) {
    // Validation only lets end nodes have no way out; be safe anyway.
    dropToken(w, token.id);
    w.s.ended++;
    return;
  }
  followConditions(w, token, node, 'node');
}

/** Takes every edge whose condition holds (the default edge when none does); fails the step when none applies. */
export function followConditions(w: Work, token: Token, node: CompiledNode, what: 'node' | 'gateway'): void {
  if (node.outgoing.length === 1) {
    // The common case, a node with one way on and no condition on it: nothing to choose.
    const edge = w.flow.edges[node.outgoing[0]];
    if (!edge.when && !edge.isTimeout) {
      putToken(w, moved(token, edge.to, edge.index));
      return;
    }
  }
  let edges: CompiledEdge[];
  try {
    edges = edgesToTake(w, node);
  } catch (error) {
    failStep(w, token, expressionFailure(error));
    return;
  }
  if (edges.length === 0) {
    failStep(w, token, errorOf('NO_PATH', `${what} '${node.id}': no outgoing edge condition holds and there is no default edge`));
    return;
  }
  follow(w, token, edges);
}

export function expressionFailure(error: unknown): ErrorInfo {
  if (error instanceof ExpressionError) return error.toInfo();
  return errorOf('EXPRESSION_ERROR', error instanceof Error ? error.message : String(error));
}

/** A step failed for good (retries spent): an error boundary may catch it, else its branch fails. */
export function failStep(w: Work, token: Token, error: ErrorInfo): void {
  const node = nodeOf(w, token);
  cancelTokenWork(w, token);
  const boundary = node.boundaries.find((b) => b.on === 'error' && (b.code === undefined || b.code === error.code));
  if (boundary) {
    log(w, 'boundary.triggered', token, { on: 'error', code: error.code, to: w.flow.nodes[boundary.to].id });
    settleRace(w, token);
    recordStep(w, node.id, { status: 'failed', error, attempt: token.attempt, at: w.at });
    putToken(w, moved(token, boundary.to, undefined));
    return;
  }
  failBranch(w, token, error);
}

export function failBranch(w: Work, token: Token, error: ErrorInfo): void {
  const s = w.s;
  const node = nodeOf(w, token);
  recordStep(w, node.id, { status: 'failed', error, attempt: token.attempt, at: w.at });
  putToken(w, resetToken(token, { status: 'failed', attempt: token.attempt, visit: token.visit, error }));
  log(w, 'branch.failed', token, { error });
  const policy = w.flow.onBranchFailure;
  if (policy === 'continue') {
    s.branchFailed = true;
  } else if (policy === 'pause') {
    setStatus(w, 'paused', 'branch_failed');
    s.error = error;
    log(w, 'run.paused', undefined, { reason: 'branch_failed', error });
  } else {
    failRun(w, 'branch_failed', error);
  }
}

/**
 * Fails the run. In-flight work is cancelled and the tokens doing it are set back to ready,
 * so that `retry` can pick the run up where it stopped.
 */
export function failRun(
  w: Work,
  reason: 'branch_failed' | 'error' | 'deadlock' | 'max_steps' | 'max_time' | 'max_credits',
  error: ErrorInfo,
): void {
  const s = w.s;
  for (const token of s.tokens.slice()) {
    if (token.status === 'failed') continue;
    cancelTokenWork(w, token);
    putToken(w, resetToken(token, { attempt: token.attempt, visit: token.visit, via: token.via }));
  }
  setStatus(w, 'failed', reason);
  s.error = error;
  log(w, 'run.failed', undefined, { reason, error });
  w.effects.push({ type: 'run.finished', status: 'failed', error });
}
