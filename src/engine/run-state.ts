import type { CompiledFlow } from '../flow/compiled.js';
import type { RunMeta, RunState } from './types.js';

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
