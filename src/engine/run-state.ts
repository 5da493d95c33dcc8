import type { CompiledFlow } from '../flow/compiled.js';
import type { JoinState, RunMeta, RunState } from './types.js';

/** The state of a run before its `run.started` event: where replay starts folding. */
export function createRunState(meta: RunMeta, flow: CompiledFlow): RunState {
  const options = meta.options;
  return {
    meta,
    status: 'queued',
    reason: 'created',
    input: undefined,
    vars: {},
    steps: {},
    tokens: [],
    joins: {},
    pending: {},
    signals: [],
    visits: [],
    usage: { steps: 0, credits: 0, activeMs: 0 },
    reserved: 0,
    activeSince: null,
    limits: { ...flow.limits, ...options?.limits },
    onLimit: { ...flow.onLimit, ...options?.onLimit },
    branchFailed: false,
    ended: 0,
    nextSeq: 1,
    nextToken: 1,
    nextRace: 1,
    eventSeq: 0,
    updatedAt: meta.createdAt,
  };
}

/**
 * A copy of a run's state that later transitions do not change: what a reader may keep.
 * `advance()` updates the run's own state in place, collections included; the records in them
 * are replaced, never edited, so copying the collections is enough.
 */
export function snapshotState(state: RunState): RunState {
  const joins: Record<number, JoinState> = {};
  for (const key in state.joins) {
    const join = state.joins[key];
    joins[key] = { arrivals: join.arrivals.map((list) => list.slice()), filled: join.filled };
  }
  return {
    ...state,
    vars: { ...state.vars },
    steps: { ...state.steps },
    tokens: state.tokens.slice(),
    joins,
    pending: { ...state.pending },
    signals: state.signals.slice(),
    visits: state.visits.slice(),
    usage: { ...state.usage },
  };
}
