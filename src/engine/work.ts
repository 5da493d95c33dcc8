/**
 * The working copy of one `advance()` call. The input RunState is never mutated: `beginWork`
 * copies the top level and the collections a transition may touch, and every change below
 * replaces objects instead of editing them. Helpers here are the only way state changes, so
 * the invariants (reserved credits, active time, event numbering) live in one place.
 */
import type { ErrorInfo } from '../errors.js';
import type { ExprScope } from '../expr/types.js';
import type { CompiledFlow, CompiledNode } from '../flow/compiled.js';
import type { Effect, JoinState, PendingEffect, RunEvent, RunReason, RunState, RunStatus, Token } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface Draft extends Omit<Mutable<RunState>, 'tokens' | 'pending' | 'joins'> {
  tokens: Token[];
  pending: Record<number, PendingEffect>;
  joins: Record<number, JoinState>;
}

export interface Work {
  readonly flow: CompiledFlow;
  readonly at: number;
  readonly s: Draft;
  readonly effects: Effect[];
  readonly events: RunEvent[];
  /** Steps and child runs in flight (for maxParallel). */
  inflight: number;
  /** Retries whose delay is over, waiting for `drive` to start them (most transitions: none). */
  due: number;
  /** Whether `s.tokens` / `s.pending` are this transition's own copies yet (copy on first write). */
  ownTokens: boolean;
  ownPending: boolean;
}

/**
 * Starts a transition. The draft lists every field (one hidden class, no spread of a large
 * object); the token list and the pending map are copied only when the transition writes them.
 */
export function beginWork(state: RunState, flow: CompiledFlow, at: number): Work {
  const s: Draft = {
    meta: state.meta,
    status: state.status,
    reason: state.reason,
    input: state.input,
    vars: state.vars,
    steps: state.steps,
    tokens: state.tokens as Token[],
    joins: state.joins,
    pending: state.pending,
    signals: state.signals,
    visits: state.visits,
    usage: state.usage,
    reserved: state.reserved,
    activeSince: state.activeSince,
    limits: state.limits,
    onLimit: state.onLimit,
    branchFailed: state.branchFailed,
    ended: state.ended,
    nextSeq: state.nextSeq,
    nextToken: state.nextToken,
    nextRace: state.nextRace,
    eventSeq: state.eventSeq,
    updatedAt: state.updatedAt,
    output: state.output,
    error: state.error,
  };
  let inflight = 0;
  let due = 0;
  for (const key in s.pending) {
    const pending = s.pending[key];
    if (pending.kind === 'step' || pending.kind === 'child') inflight++;
    else if (pending.due) due++;
  }
  return { flow, at, s, effects: [], events: [], inflight, due, ownTokens: false, ownPending: false };
}

function tokensToWrite(w: Work): Token[] {
  if (!w.ownTokens) {
    w.s.tokens = w.s.tokens.slice();
    w.ownTokens = true;
  }
  return w.s.tokens;
}

function pendingToWrite(w: Work): Record<number, PendingEffect> {
  if (!w.ownPending) {
    w.s.pending = { ...w.s.pending };
    w.ownPending = true;
  }
  return w.s.pending;
}

/** Replaces a pending effect's record (e.g. a retry becoming due). */
export function replacePending(w: Work, seq: number, pending: PendingEffect): void {
  const before = w.s.pending[seq];
  if (isDue(pending) && !isDue(before)) w.due++;
  pendingToWrite(w)[seq] = pending;
}

const isDue = (pending: PendingEffect | undefined): boolean => pending?.kind === 'timer' && pending.due === true;

export function log(w: Work, type: string, token?: Token, data?: unknown, nodeId?: string): void {
  const seq = ++w.s.eventSeq;
  const event: { seq: number; type: string; at: number; nodeId?: string; token?: number; data?: unknown } = {
    seq,
    type,
    at: w.at,
  };
  const id = nodeId ?? (token ? w.flow.nodes[token.node]?.id : undefined);
  if (id !== undefined) event.nodeId = id;
  if (token) event.token = token.id;
  if (data !== undefined) event.data = data;
  w.events.push(event);
}

export const nodeOf = (w: Work, token: Token): CompiledNode => w.flow.nodes[token.node];

export function findToken(w: Work, id: number): Token | undefined {
  const tokens = w.s.tokens;
  for (let i = 0; i < tokens.length; i++) if (tokens[i].id === id) return tokens[i];
  return undefined;
}

export function putToken(w: Work, token: Token): void {
  const tokens = tokensToWrite(w);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].id === token.id) {
      tokens[i] = token;
      return;
    }
  }
  tokens.push(token);
}

export function dropToken(w: Work, id: number): void {
  const tokens = tokensToWrite(w);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].id === id) {
      tokens.splice(i, 1);
      return;
    }
  }
}

export function newToken(w: Work, node: number, branch: string, via?: number): Token {
  const token: Token = { id: w.s.nextToken++, node, status: 'ready', branch, attempt: 1, visit: 0 };
  return via === undefined ? token : { ...token, via };
}

/** A token that has just arrived on `edge`'s target, fresh for its next step. */
export function moved(token: Token, node: number, via: number | undefined): Token {
  return via === undefined
    ? { id: token.id, node, status: 'ready', branch: token.branch, attempt: 1, visit: 0 }
    : { id: token.id, node, status: 'ready', branch: token.branch, attempt: 1, visit: 0, via };
}

export function addPending(w: Work, effect: PendingEffect): number {
  const seq = w.s.nextSeq++;
  pendingToWrite(w)[seq] = effect;
  if (isDue(effect)) w.due++;
  if (effect.kind === 'step') {
    w.s.reserved += effect.estimate;
    w.inflight++;
  } else if (effect.kind === 'child') {
    w.inflight++;
  }
  return seq;
}

/** Forget a pending effect that resolved (no cancel effect). */
export function settlePending(w: Work, seq: number): PendingEffect | undefined {
  const pending = w.s.pending[seq];
  if (!pending) return undefined;
  delete pendingToWrite(w)[seq];
  if (pending.kind === 'step') {
    w.s.reserved -= pending.estimate;
    w.inflight--;
  } else if (pending.kind === 'child') {
    w.inflight--;
  } else if (pending.due) {
    w.due--;
  }
  return pending;
}

/** Withdraw a pending effect and tell the shell to stop it. */
export function cancelPending(w: Work, seq: number | undefined): void {
  if (seq === undefined) return;
  const pending = settlePending(w, seq);
  if (!pending || (pending.kind === 'timer' && pending.due)) return; // a due retry's timer already fired (or never ran)
  const type = pending.kind === 'step' ? 'step.cancel' : pending.kind === 'timer' ? 'timer.cancel' : 'child.cancel';
  w.effects.push({ type, seq });
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
    s.usage = { ...s.usage, activeMs: activeMs(s, w.at) };
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
    run: { id: s.meta.id, flowId: s.meta.flowId, flowVersion: s.meta.flowVersion },
    env: s.meta.options?.env,
    now: w.at,
  };
}

export function setJoin(w: Work, node: number, join: JoinState | undefined): void {
  const joins = { ...w.s.joins };
  if (join) joins[node] = join;
  else delete joins[node];
  w.s.joins = joins;
}

/** Writes a value at a dotted path of vars, copying only the objects on the path. */
export function setVar(vars: Readonly<Record<string, unknown>>, path: string, value: unknown): Record<string, unknown> {
  const dot = path.indexOf('.');
  if (dot < 0) return { ...vars, [path]: value };
  const head = path.slice(0, dot);
  const inner = vars[head];
  const base = inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ...vars, [head]: setVar(base, path.slice(dot + 1), value) };
}

export const errorOf = (code: string, message: string, retryable = false): ErrorInfo => ({ code, message, retryable });
