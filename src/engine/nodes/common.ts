import type { CompiledNode } from '../../flow/compiled.js';
import { withinLimits } from '../limits.js';
import { tokenWith } from '../token.js';
import type { Token } from '../types.js';
import { addPending, putToken, type Work } from '../work.js';

function setVisit(visits: number[], node: number, visit: number): void {
  // No holes: JSON would turn them into nulls, and a reloaded state must equal the one written.
  for (let i = visits.length; i < node; i++) visits.push(0);
  visits[node] = visit;
}

/**
 * Counts the step against maxSteps and numbers the visit (loops get distinct idempotency keys);
 * returns the token's visit number, for a caller that makes the token itself.
 */
export function countVisit(w: Work, token: Token): number {
  const s = w.s;
  // A user retry (retry.requested: attempt > 1 on a token that already visited) runs the same
  // visit again: only the attempt may change in the idempotency key `runId:nodeId:attempt:branch`,
  // else a retry of attempt 1 got `…:2:0@2`, as if the node had been entered in a loop.
  const again = token.attempt > 1 && token.visit > 0;
  const visit = again ? token.visit : (s.visits[token.node] ?? 0) + 1;
  if (!again) setVisit(s.visits, token.node, visit);
  s.usage.steps++;
  return visit;
}

/** countVisit, and the token with its visit number (put in the run's list). */
export function countStep(w: Work, token: Token): Token {
  const visit = countVisit(w, token);
  // Tokens come from the run's list (drive found them there): an unchanged one needs no put.
  if (token.visit === visit) return token;
  const counted = tokenWith(token, { visit });
  putToken(w, counted);
  return counted;
}

/** Starts the timers of the node's timer boundaries; their seqs ride on the token. */
export function armBoundaryTimers(w: Work, token: Token, node: CompiledNode): Token {
  let seqs: number[] | undefined;
  for (const boundary of node.boundaries) {
    if (boundary.on !== 'timer' || boundary.after === undefined) continue;
    const fireAt = w.at + boundary.after;
    const seq = addPending(w, { kind: 'timer', token: token.id, purpose: 'boundary', fireAt, boundary: boundary.index });
    w.effects.push({ type: 'timer.start', seq, fireAt });
    if (!seqs) seqs = [];
    seqs.push(seq);
  }
  return seqs ? tokenWith(token, { boundaryTimers: seqs }) : token;
}

/** Limits are checked before each step; returns the counted token, or undefined when a limit stopped the run. */
export function beginStep(w: Work, token: Token, cost = 0): Token | undefined {
  if (!withinLimits(w, cost)) return undefined;
  return countStep(w, token);
}
