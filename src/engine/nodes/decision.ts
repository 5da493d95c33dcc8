/** Exclusive decision: the first edge whose condition holds, in file order, else the default edge. */
import type { CompiledEdge, DecisionNode } from '../../flow/compiled.js';
import { expressionFailure, failStep, follow } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { Token } from '../types.js';
import { errorOf, log, putToken, scopeFor, type Work } from '../work.js';
import { beginStep } from './common.js';

function chooseEdge(w: Work, node: DecisionNode): CompiledEdge | undefined {
  let fallback: CompiledEdge | undefined;
  const scope = scopeFor(w);
  for (const index of node.outgoing) {
    const edge = w.flow.edges[index];
    if (edge.isTimeout) continue;
    if (edge.isDefault) {
      fallback ??= edge;
      continue;
    }
    if (!edge.when || edge.when.evaluate(scope)) return edge;
  }
  return fallback;
}

export function enterDecision(w: Work, token: Token, node: DecisionNode): void {
  const counted = beginStep(w, token);
  if (!counted) return;
  if (node.mode === 'manual') {
    const options = node.outgoing.map((index) => w.flow.nodes[w.flow.edges[index].to].id);
    putToken(w, tokenWith(counted, { status: 'waiting', waitingFor: 'decision' }));
    log(w, 'decision.requested', counted, { options });
    return;
  }
  let edge: CompiledEdge | undefined;
  try {
    edge = chooseEdge(w, node);
  } catch (error) {
    failStep(w, counted, expressionFailure(error));
    return;
  }
  if (!edge) {
    failStep(w, counted, errorOf('NO_PATH', `decision '${node.id}': no condition holds and there is no default edge`));
    return;
  }
  log(w, 'decision.taken', counted, { to: w.flow.nodes[edge.to].id });
  follow(w, counted, [edge]);
}
