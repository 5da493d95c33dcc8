/** Subflow nodes start a child run (a real run with its own id and log); its limits come out of the parent's. */
import type { Limits, SubflowNode } from '../../flow/compiled.js';
import { expressionFailure, failStep } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { ChildStart, Token } from '../types.js';
import { activeMs, addPending, log, putToken, scopeFor, type Work } from '../work.js';
import { armBoundaryTimers, beginStep } from './common.js';

/** What is left of the parent's limits: the most a child may use. */
export function remainingLimits(w: Work): Partial<Limits> {
  const s = w.s;
  return {
    maxSteps: Math.max(0, s.limits.maxSteps - s.usage.steps),
    maxTime: Math.max(0, s.limits.maxTime - activeMs(s, w.at)),
    maxCredits: Math.max(0, s.limits.maxCredits - s.usage.credits - s.reserved),
  };
}

export function startChild(w: Work, token: Token, node: SubflowNode, input: unknown, item?: number): number {
  const start: ChildStart = {
    nodeId: node.id,
    flow: node.flow,
    ...(node.version === undefined ? {} : { version: node.version }),
    input,
    limits: remainingLimits(w),
    ...(node.strategy === undefined ? {} : { strategy: node.strategy }),
  };
  const seq = addPending(w, {
    kind: 'child',
    token: token.id,
    node: token.node,
    startedAt: w.at,
    start,
    ...(item === undefined ? {} : { item }),
  });
  w.effects.push({ type: 'child.start', seq, ...start });
  return seq;
}

export function enterSubflow(w: Work, token: Token, node: SubflowNode): void {
  let input: unknown;
  try {
    input = node.input.evaluate(scopeFor(w));
  } catch (error) {
    failStep(w, token, expressionFailure(error));
    return;
  }
  const counted = beginStep(w, token);
  if (!counted) return;
  const seq = startChild(w, counted, node, input);
  const waiting = armBoundaryTimers(w, tokenWith(counted, { status: 'waiting', waitingFor: 'child', seq }), node);
  putToken(w, waiting);
  log(w, 'child.started', waiting, { seq, flow: node.flow, version: node.version, input });
}
