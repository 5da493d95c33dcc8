/**
 * Exclusive decision: the first edge whose condition holds, in file order, else the default
 * edge (`auto`); a person's choice (`manual`); or a model's (`ai`): the choice is a step the
 * shell executes, so its answer is recorded in the log like any step's, and a replay or a retry
 * of a later step never asks again.
 */
import type { CompiledEdge, DecisionNode } from '../../flow/compiled.js';
import { expressionFailure, failStep, follow, recordOutput } from '../outcome.js';
import { tokenWith } from '../token.js';
import type { StepDetail, Token } from '../types.js';
import { errorOf, log, putToken, scopeFor, type Work } from '../work.js';
import { executeActivity } from './activity.js';
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
  if (node.mode === 'ai') {
    askModel(w, counted, node);
    return;
  }
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

/** What an ai decision's step receives: the question and the edges it may take. */
export interface AiDecisionInput {
  readonly prompt?: string;
  readonly options: readonly { readonly to: string; readonly when?: string; readonly default?: true }[];
}

function askModel(w: Work, token: Token, node: DecisionNode): void {
  let input: AiDecisionInput;
  try {
    const options = node.outgoing
      .map((index) => w.flow.edges[index])
      .filter((edge) => !edge.isTimeout)
      .map((edge) => {
        const option: { to: string; when?: string; default?: true } = { to: w.flow.nodes[edge.to].id };
        if (edge.when) option.when = edge.when.source;
        if (edge.isDefault) option.default = true;
        return option;
      });
    input = node.prompt ? { prompt: node.prompt.render(scopeFor(w)), options } : { options };
  } catch (error) {
    failStep(w, token, expressionFailure(error));
    return;
  }
  const seq = executeActivity(w, token, token.visit, node, node.id, token.attempt, input, 0);
  const started = tokenWith(token, { status: 'running', seq });
  putToken(w, started);
  log(w, 'step.started', started, { seq, attempt: token.attempt, input });
}

/** The model answered: `{ to, reason }` naming one of the decision's edges, which is taken. */
export function takeAiDecision(w: Work, token: Token, node: DecisionNode, output: unknown, detail?: StepDetail): void {
  const answer = output as { to?: unknown; reason?: unknown } | null;
  const edge = node.outgoing
    .map((index) => w.flow.edges[index])
    .find((e) => !e.isTimeout && typeof answer?.to === 'string' && w.flow.nodes[e.to].id === answer.to);
  if (!edge) {
    const options = node.outgoing.map((index) => w.flow.nodes[w.flow.edges[index].to].id).join(', ');
    failStep(
      w,
      token,
      errorOf(
        'AI_DECISION_INVALID',
        `decision '${node.id}': the model chose ${JSON.stringify(answer?.to)}, not one of ${options}`,
      ),
    );
    return;
  }
  recordOutput(w, node, token, output, detail);
  log(w, 'decision.taken', token, { to: answer?.to, by: 'ai', reason: answer?.reason });
  follow(w, tokenWith(token, { seq: undefined }), [edge]);
}
