/**
 * Wait nodes park a token until a signal (by name) or a callback / human input addressed to the
 * node arrives. A signal that came before anyone waited for it is buffered and taken here.
 */
import type { WaitNode } from '../../flow/compiled.js';
import { completeStep, failStep, settleRace } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { Token } from '../types.js';
import { addPending, cancelPending, errorOf, log, moved, putToken, type Work } from '../work.js';
import { armBoundaryTimers, beginStep } from './common.js';

export function enterWait(w: Work, token: Token, node: WaitNode): void {
  const counted = beginStep(w, token);
  if (!counted) return;
  const buffered = node.signal === undefined ? -1 : w.s.signals.findIndex((signal) => signal.name === node.signal);
  if (buffered >= 0) {
    const signal = w.s.signals[buffered];
    w.s.signals.splice(buffered, 1);
    log(w, 'wait.started', counted, { signal: node.signal, buffered: true });
    resolveWait(w, counted, node, signal.payload);
    return;
  }
  let waiting = tokenWith(counted, { status: 'waiting', waitingFor: node.signal === undefined ? 'callback' : 'signal' });
  let timeoutAt: number | undefined;
  if (node.waitTimeout !== undefined) {
    timeoutAt = w.at + node.waitTimeout;
    const seq = addPending(w, { kind: 'timer', token: counted.id, purpose: 'timeout', fireAt: timeoutAt });
    w.effects.push({ type: 'timer.start', seq, fireAt: timeoutAt });
    waiting = { ...waiting, timeoutSeq: seq };
  }
  waiting = armBoundaryTimers(w, waiting, node);
  putToken(w, waiting);
  log(w, 'wait.started', waiting, { signal: node.signal, timeoutAt });
}

/** Problems with a payload for this wait (its schema), or null. */
export function checkPayload(node: WaitNode, payload: unknown): string[] | null {
  return node.check ? node.check(payload) : null;
}

export function resolveWait(w: Work, token: Token, node: WaitNode, payload: unknown): void {
  const problems = checkPayload(node, payload);
  if (problems) {
    failStep(w, token, errorOf('INPUT_INVALID', `wait '${node.id}': ${problems.join('; ')}`));
    return;
  }
  completeStep(w, token, payload);
}

/** The wait's timeout fired: follow the edge marked `timeout: true`, else the step fails. */
export function timeoutWait(w: Work, token: Token, node: WaitNode): void {
  const edgeIndex = node.outgoing.find((index) => w.flow.edges[index].isTimeout);
  const cleared = tokenWith(token, { timeoutSeq: undefined });
  if (edgeIndex === undefined) {
    failStep(w, cleared, errorOf('TIMEOUT', `wait '${node.id}' timed out`, false));
    return;
  }
  if (cleared.boundaryTimers) for (const seq of cleared.boundaryTimers) cancelPending(w, seq);
  log(w, 'wait.timedout', token);
  settleRace(w, token); // the timeout is this member's way out: it wins the race
  const edge = w.flow.edges[edgeIndex];
  putToken(w, moved(token, edge.to, edge.index));
}
