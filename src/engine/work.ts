/**
 * One `advance()` call at work. The state is updated in place: a step costs the same whether
 * the run has one branch or a hundred (copying the token list, the pending map and the step
 * records on every transition made a 100-branch fan-out quadratic, and fed the garbage
 * collector a third of the time). Records inside (tokens, pending effects, step records) are
 * replaced, never edited, so events and effects that carry them stay true. Helpers here are
 * the only way state changes, so the invariants (reserved credits, active time, event
 * numbering) live in one place.
 */
import type { ErrorInfo } from '../errors.js';
import type { ExprScope } from '../expr/types.js';
import type { CompiledFlow, CompiledNode } from '../flow/compiled.js';
import type { Mutable } from '../mutable.js';
import { freshToken } from './token.js';
import { TokenIndex } from './token-index.js';
import type { Effect, PendingEffect, RunEvent, RunReason, RunState, RunStatus, StepRecord, Token, Usage } from './types.js';

export interface MutableJoin {
  arrivals: Token[][];
  filled: number;
}

export interface Draft
  extends Omit<Mutable<RunState>, 'tokens' | 'pending' | 'joins' | 'steps' | 'vars' | 'visits' | 'signals' | 'usage'> {
  tokens: Token[];
  pending: Record<number, PendingEffect>;
  joins: Record<number, MutableJoin>;
  steps: Record<string, StepRecord>;
  vars: Record<string, unknown>;
  visits: number[];
  signals: { name: string; payload: unknown }[];
  usage: Mutable<Usage>;
}

export interface Work {
  readonly flow: CompiledFlow;
  readonly at: number;
  readonly s: Draft;
  readonly effects: Effect[];
  readonly events: RunEvent[];
  /** Steps and child runs in flight (for maxParallel), and retries whose delay is over. */
  readonly counts: Counts;
  /** Where each token is, and which can move. */
  readonly tokens: TokenIndex;
}

/** Derived from `pending`, kept beside the state so that no transition has to recount them. */
interface Counts {
  inflight: number;
  /** Retries whose delay is over, waiting for `drive` to start them (most runs: none). */
  due: number;
}

/** What is derived from a state and kept beside it, made once per state object. */
interface Derived {
  readonly counts: Counts;
  readonly tokens: TokenIndex;
}

const derived = new WeakMap<RunState, Derived>();

function derive(state: RunState): Derived {
  let found = derived.get(state);
  if (!found) {
    const counts = { inflight: 0, due: 0 };
    for (const key in state.pending) {
      const pending = state.pending[key];
      if (pending.kind === 'step' || pending.kind === 'child') counts.inflight++;
      else if (pending.due) counts.due++;
    }
    found = { counts, tokens: new TokenIndex(state.tokens) };
    derived.set(state, found);
  }
  return found;
}

export function beginWork(state: RunState, flow: CompiledFlow, at: number): Work {
  const { counts, tokens } = derive(state);
  return { flow, at, s: state as Draft, effects: [], events: [], counts, tokens };
}

/** Replaces a pending effect's record (e.g. a retry becoming due). */
export function replacePending(w: Work, seq: number, pending: PendingEffect): void {
  const before = w.s.pending[seq];
  if (isDue(pending) && !isDue(before)) w.counts.due++;
  w.s.pending[seq] = pending;
}

const isDue = (pending: PendingEffect | undefined): boolean => pending?.kind === 'timer' && pending.due === true;

export function log(w: Work, type: string, token?: Token, data?: unknown, nodeId?: string): void {
  const seq = ++w.s.eventSeq;
  const id = nodeId ?? (token ? w.flow.nodes[token.node]?.id : undefined);
  if (id !== undefined && token && data !== undefined) {
    // The usual event, as one literal: fields added afterwards would cost a second allocation.
    w.events.push({ seq, type, at: w.at, nodeId: id, token: token.id, data });
    return;
  }
  const event: { seq: number; type: string; at: number; nodeId?: string; token?: number; data?: unknown } = {
    seq,
    type,
    at: w.at,
  };
  if (id !== undefined) event.nodeId = id;
  if (token) event.token = token.id;
  if (data !== undefined) event.data = data;
  w.events.push(event);
}

export const nodeOf = (w: Work, token: Token): CompiledNode => w.flow.nodes[token.node];

export function findToken(w: Work, id: number): Token | undefined {
  const at = w.tokens.position(w.s.tokens, id);
  return at < 0 ? undefined : w.s.tokens[at];
}

/** Replaces the token with the same id where it stands, or appends a new one. */
export function putToken(w: Work, token: Token): void {
  w.tokens.put(w.s.tokens, token);
}

export function dropToken(w: Work, id: number): void {
  w.tokens.drop(w.s.tokens, id);
}

export function newToken(w: Work, node: number, branch: string, via?: number): Token {
  return freshToken(w.s.nextToken++, node, branch, via);
}

/** A token that has just arrived on `edge`'s target, fresh for its next step. */
export function moved(token: Token, node: number, via: number | undefined): Token {
  return freshToken(token.id, node, token.branch, via);
}

export function addPending(w: Work, effect: PendingEffect): number {
  const seq = w.s.nextSeq++;
  w.s.pending[seq] = effect;
  if (isDue(effect)) w.counts.due++;
  if (effect.kind === 'step') {
    w.s.reserved += effect.estimate;
    w.counts.inflight++;
  } else if (effect.kind === 'child') {
    w.counts.inflight++;
  }
  return seq;
}

/** Forget a pending effect that resolved (no cancel effect). */
export function settlePending(w: Work, seq: number): PendingEffect | undefined {
  const pending = w.s.pending[seq];
  if (!pending) return undefined;
  delete w.s.pending[seq];
  if (pending.kind === 'step') {
    w.s.reserved -= pending.estimate;
    w.counts.inflight--;
  } else if (pending.kind === 'child') {
    w.counts.inflight--;
  } else if (pending.due) {
    w.counts.due--;
  }
  return pending;
}

/** Withdraw a pending effect and tell the shell to stop it. */
export function cancelPending(w: Work, seq: number | undefined): void {
  if (seq === undefined) return;
  const pending = settlePending(w, seq);
  if (!pending || (pending.kind === 'timer' && pending.due)) return; // a due retry's timer already fired (or never ran)
  if (pending.kind === 'step') w.effects.push({ type: 'step.cancel', seq, step: pending });
  else w.effects.push({ type: pending.kind === 'timer' ? 'timer.cancel' : 'child.cancel', seq });
}

/** Cancel everything a token waits on: its step/timer/child, timeout and boundary timers, map items. */
export function cancelTokenWork(w: Work, token: Token): void {
  cancelPending(w, token.seq);
  cancelPending(w, token.timeoutSeq);
  if (token.boundaryTimers) for (const seq of token.boundaryTimers) cancelPending(w, seq);
  if (token.map) {
    for (const key of Object.keys(w.s.pending)) {
      const pending = w.s.pending[Number(key)];
      if (pending.token === token.id) cancelPending(w, Number(key));
    }
  }
}

export function activeMs(s: Draft | RunState, at: number): number {
  return s.activeSince === null ? s.usage.activeMs : s.usage.activeMs + Math.max(0, at - s.activeSince);
}

/** Status changes go through here so that active time only counts while running. */
export function setStatus(w: Work, status: RunStatus, reason: RunReason): void {
  const s = w.s;
  if (s.status === 'running' && status !== 'running' && s.activeSince !== null) {
    s.usage.activeMs = activeMs(s, w.at);
    s.activeSince = null;
  } else if (status === 'running' && s.status !== 'running') {
    s.activeSince = w.at;
  }
  s.status = status;
  s.reason = reason;
}

export function isActive(s: Draft): boolean {
  return s.status === 'running' || s.status === 'waiting';
}

export function scopeFor(w: Work, item?: unknown, index?: number): ExprScope {
  const s = w.s;
  return {
    input: s.input,
    vars: s.vars,
    steps: s.steps,
    item,
    index,
    // strategy: the run option, or in a child run its subflow call's override (F4.3, ai steps).
    run: {
      id: s.meta.id,
      flowId: s.meta.flowId,
      flowVersion: s.meta.flowVersion,
      strategy: s.meta.options?.strategy,
      parentRunId: s.meta.parent?.runId,
    },
    env: s.meta.options?.env,
    now: w.at,
  };
}

export function dropJoin(w: Work, node: number): void {
  delete w.s.joins[node];
}

export function recordStep(w: Work, nodeId: string, record: StepRecord): void {
  w.s.steps[nodeId] = record;
}

/**
 * Writes a value at a dotted path of vars. The vars object itself is the run's own and changes
 * in place; objects below it may be shared with step outputs and events, so the ones on the
 * path are copied.
 */
export function setVar(w: Work, path: string, value: unknown): void {
  const vars = w.s.vars;
  const dot = path.indexOf('.');
  if (dot < 0) {
    vars[path] = value;
    return;
  }
  const head = path.slice(0, dot);
  vars[head] = withPath(vars[head], path.slice(dot + 1), value);
}

function withPath(inner: unknown, path: string, value: unknown): Record<string, unknown> {
  const base = inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  const dot = path.indexOf('.');
  if (dot < 0) return { ...base, [path]: value };
  const head = path.slice(0, dot);
  return { ...base, [head]: withPath(base[head], path.slice(dot + 1), value) };
}

export const errorOf = (code: string, message: string, retryable = false): ErrorInfo => ({ code, message, retryable });
