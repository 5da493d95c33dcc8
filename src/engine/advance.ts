/**
 * The engine: `advance(state, event, flow)` returns the next state, the effects the shell must
 * carry out and the events to append to the run's log. Pure and synchronous: no I/O, no clock
 * (time comes in on the event), no randomness. Replay folds the logged engine events again.
 *
 * @example
 * let { state, effects } = advance(createRunState(meta, flow), { type: 'run.started', at: now, input }, flow);
 */
import { RequestError } from '../errors.js';
import type { CompiledBoundary, CompiledFlow, MapNode, WaitNode } from '../flow/compiled.js';
import { drive } from './drive.js';
import { takeAiDecision } from './nodes/decision.js';
import { completeMapItem } from './nodes/map.js';
import { checkPayload, resolveWait, timeoutWait } from './nodes/wait.js';
import { completeStep, failStep, follow, settleRace } from './outcome.js';
import { refuseReservedKeys, reservedKeyFailure } from './reserved.js';
import { scheduleRetry, shouldRetry } from './retry.js';
import { deliverMessage, messageTarget, recordUnit, runningStep, waitForMessage } from './step-journal.js';
import { resetToken, tokenWith } from './token.js';
import {
  type EngineEvent,
  type EngineEventType,
  type RunState,
  TERMINAL_STATUSES,
  type Token,
  type Transition,
} from './types.js';
import {
  beginWork,
  cancelTokenWork,
  dropJoin,
  dropToken,
  errorOf,
  findToken,
  isActive,
  log,
  moved,
  newToken,
  putToken,
  recordStep,
  replacePending,
  setStatus,
  settlePending,
  type Work,
} from './work.js';

type Handler<K extends EngineEventType> = (w: Work, event: Extract<EngineEvent, { type: K }>) => boolean;

const reject = (code: string, message: string): never => {
  throw new RequestError(code, message);
};

function refuseWhenTerminal(w: Work, what: string): void {
  if (TERMINAL_STATUSES.has(w.s.status)) reject('RUN_STATUS', `cannot ${what}: run ${w.s.meta.id} is ${w.s.status}`);
}

/** Appends the engine event itself to the log: the record replay folds. */
/** A step.completed event's data with its optional fields, set only when present (JSON round trips). */
function resultData(e: Extract<EngineEvent, { type: 'step.completed' }>): Record<string, unknown> {
  const data: Record<string, unknown> = { seq: e.seq, output: e.output };
  if (e.cost !== undefined) data.cost = e.cost;
  if (e.detail !== undefined) data.detail = e.detail;
  return data;
}

function logInput(w: Work, event: EngineEvent, token?: Token, nodeId?: string): void {
  const { type, at: _at, ...data } = event;
  log(w, type, token, data, nodeId);
}

function fireBoundary(w: Work, token: Token, boundary: CompiledBoundary, firedSeq?: number): void {
  log(w, 'boundary.triggered', token, { on: boundary.on, to: w.flow.nodes[boundary.to].id, interrupting: boundary.interrupting });
  if (boundary.interrupting) {
    cancelTokenWork(w, token);
    settleRace(w, token);
    putToken(w, moved(token, boundary.to, undefined));
    return;
  }
  if (firedSeq !== undefined && token.boundaryTimers) {
    putToken(w, tokenWith(token, { boundaryTimers: token.boundaryTimers.filter((seq) => seq !== firedSeq) }));
  }
  putToken(w, newToken(w, boundary.to, `${token.branch}.b${boundary.index}`));
}

/** A child run reported back: its usage counts against the parent's. Undefined for a stale report. */
function settleChild(
  w: Work,
  e: Extract<EngineEvent, { type: 'child.completed' | 'child.failed' }>,
): { token: Token; item: number | undefined } | undefined {
  const pending = w.s.pending[e.seq];
  if (pending?.kind !== 'child') return undefined;
  settlePending(w, e.seq);
  const usage = w.s.usage;
  usage.steps += e.usage.steps;
  usage.credits += e.usage.credits;
  const token = findToken(w, pending.token) as Token;
  logInput(w, e, token);
  return { token, item: pending.item };
}

const handlers: { [K in EngineEventType]: Handler<K> } = {
  'run.started'(w, e) {
    if (w.s.status !== 'queued') reject('RUN_STATUS', `run ${w.s.meta.id} has already started`);
    const problems = w.flow.checkInput?.(e.input);
    if (problems) reject('INPUT_INVALID', `input of flow '${w.flow.id}': ${problems.join('; ')}`);
    refuseReservedKeys(e.input, 'input', `input of flow '${w.flow.id}'`);
    w.s.input = e.input;
    logInput(w, e);
    setStatus(w, 'running', 'started');
    putToken(w, newToken(w, w.flow.start, '0'));
    drive(w);
    return true;
  },

  'step.completed'(w, e) {
    const pending = w.s.pending[e.seq];
    if (pending?.kind !== 'step') return false; // a late result of a cancelled step
    settlePending(w, e.seq);
    w.s.usage.credits += e.cost ?? pending.estimate;
    const token = findToken(w, pending.token) as Token;
    // logInput's rest copy, written out: this is every step's event.
    log(w, e.type, token, e.cost === undefined && e.detail === undefined ? { seq: e.seq, output: e.output } : resultData(e));
    const node = w.flow.nodes[token.node];
    const refused = reservedKeyFailure(e.output, node.id);
    if (refused) failStep(w, token, refused);
    else if (pending.item !== undefined) completeMapItem(w, token, node as MapNode, pending.item, e.output);
    else if (node.type === 'decision') takeAiDecision(w, token, node, e.output, e.detail);
    else completeStep(w, token, e.output, e.detail);
    drive(w);
    return true;
  },

  'step.failed'(w, e) {
    const pending = w.s.pending[e.seq];
    if (pending?.kind !== 'step') return false;
    settlePending(w, e.seq);
    if (e.cost) w.s.usage.credits += e.cost;
    const token = findToken(w, pending.token) as Token;
    logInput(w, e, token);
    const node = w.flow.nodes[token.node];
    const policy = pending.item !== undefined && node.type === 'map' ? node.body.retry : node.retry;
    if (shouldRetry(policy, pending.attempt, e.error)) scheduleRetry(w, token, pending, policy, e.error);
    else failStep(w, token, e.error);
    drive(w);
    return true;
  },

  'step.progressed'(w, e) {
    const step = runningStep(w, e.seq);
    if (!step) return false; // a late unit of a cancelled step
    recordUnit(w, e, step.pending);
    logInput(w, e, step.token);
    return true;
  },

  'step.waiting'(w, e) {
    const step = runningStep(w, e.seq);
    if (!step || step.pending.item !== undefined) return false;
    waitForMessage(w, e, step.pending, step.token);
    logInput(w, e, step.token);
    drive(w);
    return true;
  },

  'message.received'(w, e) {
    refuseWhenTerminal(w, `give '${e.nodeId}' a message`);
    const token = messageTarget(w, e);
    logInput(w, e, token);
    deliverMessage(w, e, token);
    drive(w);
    return true;
  },

  'timer.fired'(w, e) {
    const pending = w.s.pending[e.seq];
    if (pending?.kind !== 'timer' || pending.due) return false;
    if (pending.purpose === 'retry') {
      // Not rerun here: a paused run starts no new attempt and a retry takes a maxParallel slot
      // like any step, so the attempt becomes due and `drive` starts it when it may.
      logInput(w, e, findToken(w, pending.token));
      replacePending(w, e.seq, { ...pending, due: true });
      drive(w);
      return true;
    }
    settlePending(w, e.seq);
    const token = findToken(w, pending.token) as Token;
    logInput(w, e, token);
    const node = w.flow.nodes[token.node];
    switch (pending.purpose) {
      case 'timer':
        completeStep(w, tokenWith(token, { seq: undefined }), { firedAt: e.at });
        break;
      case 'timeout':
        timeoutWait(w, tokenWith(token, { timeoutSeq: undefined }), node as WaitNode);
        break;
      case 'boundary':
        fireBoundary(w, token, node.boundaries[pending.boundary as number], e.seq);
        break;
    }
    drive(w);
    return true;
  },

  'signal.received'(w, e) {
    refuseWhenTerminal(w, `signal '${e.name}'`);
    refuseReservedKeys(e.payload, 'payload', `signal '${e.name}'`);
    const waits: Token[] = [];
    const boundaries: [Token, CompiledBoundary][] = [];
    for (const token of w.s.tokens) {
      const node = w.flow.nodes[token.node];
      if (token.status === 'waiting' && node.type === 'wait' && node.signal === e.name && token.waitingFor === 'signal') {
        const problems = checkPayload(node, e.payload);
        if (problems) reject('INPUT_INVALID', `signal '${e.name}' for wait '${node.id}': ${problems.join('; ')}`);
        waits.push(token);
      } else if (token.status === 'running' || token.status === 'waiting') {
        const boundary = node.boundaries.find((b) => b.on === 'signal' && b.signal === e.name);
        if (boundary) boundaries.push([token, boundary]);
      }
    }
    logInput(w, e);
    if (waits.length === 0 && boundaries.length === 0) {
      w.s.signals.push({ name: e.name, payload: e.payload });
      log(w, 'signal.buffered', undefined, { name: e.name });
    }
    for (const waiting of waits) {
      const token = findToken(w, waiting.id); // a race may have withdrawn it meanwhile
      if (token) resolveWait(w, tokenWith(token, { seq: undefined }), w.flow.nodes[token.node] as WaitNode, e.payload);
    }
    for (const [token, boundary] of boundaries) {
      const current = findToken(w, token.id);
      if (current) fireBoundary(w, current, boundary);
    }
    drive(w);
    return true;
  },

  'callback.received'(w, e) {
    refuseWhenTerminal(w, `accept a callback for '${e.nodeId}'`);
    const token = w.s.tokens.find(
      (t) =>
        t.status === 'waiting' &&
        (t.waitingFor === 'callback' || t.waitingFor === 'signal') &&
        w.flow.nodes[t.node].id === e.nodeId,
    );
    if (!token) reject('NOT_WAITING', `node '${e.nodeId}' of run ${w.s.meta.id} is not waiting for a callback`);
    const node = w.flow.nodes[(token as Token).node] as WaitNode;
    if (e.status === 'completed') {
      const problems = checkPayload(node, e.output);
      if (problems) reject('INPUT_INVALID', `callback for '${e.nodeId}': ${problems.join('; ')}`);
      refuseReservedKeys(e.output, 'output', `callback for '${e.nodeId}'`);
    }
    logInput(w, e, token);
    const current = { ...(token as Token), seq: undefined };
    if (e.status === 'completed') resolveWait(w, current, node, e.output);
    else failStep(w, current, e.error ?? errorOf('CALLBACK_FAILED', `callback for '${e.nodeId}' reported a failure`));
    drive(w);
    return true;
  },

  'decision.made'(w, e) {
    refuseWhenTerminal(w, `decide '${e.nodeId}'`);
    const token = w.s.tokens.find(
      (t) => t.status === 'waiting' && t.waitingFor === 'decision' && w.flow.nodes[t.node].id === e.nodeId,
    );
    if (!token) reject('NOT_WAITING', `decision '${e.nodeId}' of run ${w.s.meta.id} is not waiting for a choice`);
    const node = w.flow.nodes[(token as Token).node];
    const edge = node.outgoing.map((index) => w.flow.edges[index]).find((edge) => w.flow.nodes[edge.to].id === e.to);
    if (!edge) {
      const options = node.outgoing.map((index) => w.flow.nodes[w.flow.edges[index].to].id);
      reject('BAD_REQUEST', `decision '${e.nodeId}' has no edge to '${e.to}'; choose one of: ${options.join(', ')}`);
    }
    logInput(w, e, token);
    recordStep(w, node.id, { status: 'completed', output: { to: e.to, by: e.by, reason: e.reason }, attempt: 1, at: w.at });
    follow(w, token as Token, [edge!]);
    drive(w);
    return true;
  },

  'child.completed'(w, e) {
    const settled = settleChild(w, e);
    if (!settled) return false;
    const { token, item } = settled;
    const refused = reservedKeyFailure(e.output, w.flow.nodes[token.node].id);
    if (refused) failStep(w, tokenWith(token, { seq: undefined }), refused);
    else if (item !== undefined) completeMapItem(w, token, w.flow.nodes[token.node] as MapNode, item, e.output);
    else completeStep(w, tokenWith(token, { seq: undefined }), e.output);
    drive(w);
    return true;
  },

  'child.failed'(w, e) {
    const settled = settleChild(w, e);
    if (!settled) return false;
    failStep(w, { ...settled.token, seq: undefined }, e.error);
    drive(w);
    return true;
  },

  'pause.requested'(w, e) {
    refuseWhenTerminal(w, 'pause');
    // A queued run has no token yet: "resuming" it would complete it without running anything.
    if (w.s.status === 'queued') reject('RUN_STATUS', `cannot pause: run ${w.s.meta.id} has not started`);
    if (w.s.status === 'paused') return false;
    logInput(w, e);
    setStatus(w, 'paused', 'user_paused');
    log(w, 'run.paused', undefined, { reason: 'user_paused' });
    return true;
  },

  'resume.requested'(w, e) {
    refuseWhenTerminal(w, 'resume');
    if (w.s.status !== 'paused') return false;
    logInput(w, e);
    w.s.error = undefined;
    setStatus(w, 'running', 'resumed');
    log(w, 'run.resumed');
    drive(w);
    return true;
  },

  'cancel.requested'(w, e) {
    if (w.s.status === 'cancelled') return false;
    refuseWhenTerminal(w, 'cancel');
    logInput(w, e);
    for (const token of w.s.tokens.slice()) {
      cancelTokenWork(w, token);
      dropToken(w, token.id);
    }
    for (const key of Object.keys(w.s.joins)) dropJoin(w, Number(key));
    setStatus(w, 'cancelled', e.reason ?? 'user_cancelled');
    log(w, 'run.cancelled', undefined, { reason: w.s.reason });
    w.effects.push({ type: 'run.finished', status: 'cancelled' });
    return true;
  },

  'retry.requested'(w, e) {
    const s = w.s;
    if (s.status === 'completed' || s.status === 'cancelled')
      reject('RUN_STATUS', `cannot retry: run ${s.meta.id} is ${s.status}`);
    const failed = s.tokens.filter(
      (t) => t.status === 'failed' && (e.nodeId === undefined || w.flow.nodes[t.node].id === e.nodeId),
    );
    // A failed run can restart where it stopped, but not under the name of a node that did not fail.
    const canRestart = s.status === 'failed' && s.tokens.length > 0 && e.nodeId === undefined;
    if (failed.length === 0 && !canRestart) {
      reject(
        'NOTHING_TO_RETRY',
        e.nodeId ? `node '${e.nodeId}' of run ${s.meta.id} has no failed step` : `run ${s.meta.id} has no failed step to retry`,
      );
    }
    logInput(w, e);
    for (const token of failed) {
      putToken(w, resetToken(token, { attempt: token.attempt + 1, visit: token.visit, via: token.via }));
    }
    if (!isActive(s)) {
      s.error = undefined;
      setStatus(w, 'running', 'resumed');
      log(w, 'run.resumed', undefined, { retry: true });
    }
    drive(w);
    return true;
  },

  'limits.raised'(w, e) {
    refuseWhenTerminal(w, 'raise limits');
    logInput(w, e);
    w.s.limits = { ...w.s.limits, ...e.limits };
    if (e.onLimit) w.s.onLimit = { ...w.s.onLimit, ...e.onLimit };
    return true;
  },

  'run.recovered'(w, e) {
    if (TERMINAL_STATUSES.has(w.s.status)) return false;
    const s = w.s;
    if (s.activeSince !== null) {
      // Time between the last checkpoint and the restart was downtime, not active time.
      s.usage.activeMs += Math.max(0, s.updatedAt - s.activeSince);
      s.activeSince = e.at;
    }
    logInput(w, e);
    return true;
  },
};

const NOTHING: readonly never[] = [];

/**
 * Applies `event` to `state` in place and returns it with the effects and log events. A refusal
 * (RequestError) is decided before anything changes, so a refused event leaves the state as it
 * was; any other throw is a bug, and the caller must not use the state afterwards.
 */
export function advance(state: RunState, event: EngineEvent, flow: CompiledFlow): Transition {
  const w = beginWork(state, flow, event.at);
  const handler = handlers[event.type] as Handler<EngineEventType>;
  if (!handler(w, event as never)) return { state, changed: false, effects: NOTHING, events: NOTHING };
  w.s.updatedAt = event.at;
  return { state, changed: true, effects: w.effects, events: w.events };
}
