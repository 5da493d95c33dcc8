/**
 * Work inside one step, made durable through the log: a step records each unit of its work
 * (`step.progressed`) on its pending record, may wait for a person (`step.waiting`, a
 * conversation's turn) and is executed again, with its journal, when the person's message
 * comes (`message.received`). The engine keeps the units and never reads them beyond `kind`:
 * what a unit means is the executor's business (src/ai folds model answers and tool calls).
 */
import { RequestError } from '../errors.js';
import type { Mutable } from '../mutable.js';
import { tokenWith } from './token.js';
import type { Effect, EngineEvent, PendingStep, StepUnit, Token } from './types.js';
import { findToken, putToken, replacePending, type Work } from './work.js';

type Event<K extends EngineEvent['type']> = Extract<EngineEvent, { type: K }>;

/** The step a unit or a wait is about, or undefined when it is no longer in flight (cancelled, late). */
export function runningStep(w: Work, seq: number): { pending: PendingStep; token: Token } | undefined {
  const pending = w.s.pending[seq];
  if (pending?.kind !== 'step' || pending.waiting !== undefined) return undefined;
  const token = findToken(w, pending.token);
  return token ? { pending, token } : undefined;
}

/** The pending record with one more unit (records are replaced, never edited). */
function withUnit(pending: PendingStep, unit: StepUnit): PendingStep {
  return { ...pending, journal: pending.journal ? [...pending.journal, unit] : [unit] };
}

export function recordUnit(w: Work, e: Event<'step.progressed'>, pending: PendingStep): void {
  replacePending(w, e.seq, withUnit(pending, e.unit));
}

/**
 * The step waits for a person: its token waits (the run is `waiting_for_message` once nothing
 * else runs) while the step keeps its seq, its journal, its reservation and its maxParallel
 * slot — it is one step from its start to its end. A map item cannot wait: its token is the
 * map's (the executor refuses that before it would ask).
 */
export function waitForMessage(w: Work, e: Event<'step.waiting'>, pending: PendingStep, token: Token): void {
  replacePending(w, e.seq, { ...pending, waiting: e.waitingFor });
  putToken(w, tokenWith(token, { status: 'waiting', waitingFor: 'message' }));
}

/** The token waiting at the node for this message; refused (nothing changed) when there is none or the message is empty. */
export function messageTarget(w: Work, e: Event<'message.received'>): Token {
  if (w.s.status === 'paused') {
    throw new RequestError('RUN_STATUS', `cannot give '${e.nodeId}' a message: run ${w.s.meta.id} is paused`);
  }
  if (typeof e.text !== 'string' || (!e.end && e.text.trim() === '')) {
    throw new RequestError('BAD_REQUEST', `a message for '${e.nodeId}' needs text (or end: true, which ends the conversation)`);
  }
  const token = w.s.tokens.find(
    (t) => t.status === 'waiting' && t.waitingFor === 'message' && w.flow.nodes[t.node].id === e.nodeId,
  );
  if (!token) throw new RequestError('NOT_WAITING', `node '${e.nodeId}' of run ${w.s.meta.id} is not waiting for a message`);
  return token;
}

/** The message becomes the step's next unit and the step is executed again (same seq, attempt and key). */
export function deliverMessage(w: Work, e: Event<'message.received'>, token: Token): void {
  const seq = token.seq as number;
  const pending = w.s.pending[seq] as PendingStep;
  const unit: Mutable<StepUnit> = { kind: 'message', text: e.text, at: e.at };
  if (e.end) unit.end = true;
  if (e.by !== undefined) unit.by = e.by;
  const { waiting: _waiting, ...rest } = withUnit(pending, unit);
  replacePending(w, seq, rest);
  putToken(w, tokenWith(token, { status: 'running', waitingFor: undefined }));
  w.effects.push(executeAgain(w, seq, rest));
}

/** The step.execute effect of a pending step, executed again with what it recorded so far. */
function executeAgain(w: Work, seq: number, pending: PendingStep): Effect {
  const node = w.flow.nodes[pending.node];
  const effect: Mutable<Extract<Effect, { type: 'step.execute' }>> = {
    type: 'step.execute',
    seq,
    nodeId: node.id,
    nodeType: node.type as Extract<Effect, { type: 'step.execute' }>['nodeType'],
    attempt: pending.attempt,
    input: pending.input,
    idempotencyKey: pending.idempotencyKey,
  };
  if (node.timeout !== undefined) effect.timeout = node.timeout;
  if (pending.journal) effect.journal = pending.journal;
  return effect;
}
