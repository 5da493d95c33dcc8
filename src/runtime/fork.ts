/**
 * Forking a run: a new run of the same flow version whose log starts as a copy of the original's
 * up to an event, so that folding it gives the original's state as of that event (time travel);
 * from there the new run goes on by itself — the steps that were in flight then run again, its
 * timers are armed again, and whatever came after in the original is not copied.
 */
import { replay } from '../engine/replay.js';
import { type RunEvent, type RunMeta, type RunState, TERMINAL_STATUSES } from '../engine/types.js';
import { RequestError } from '../errors.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Mutable } from '../mutable.js';
import type { Checkpoint } from '../store/store.js';
import { isIdle } from './checkpoint.js';

export interface ForkRequest {
  readonly runId: string;
  /** The last event of the original's log the fork keeps (rounded up to the end of its transition). */
  readonly atSeq: number;
}

/**
 * The first checkpoint of a fork of `source` (its meta and the log read up to at least `atSeq`).
 * A transition logs several events; a fork never cuts one in two: the state after the engine
 * event at or before `atSeq` comes with every event that transition logged.
 */
export function forkCheckpoint(
  source: RunMeta,
  flow: CompiledFlow,
  log: readonly RunEvent[],
  request: ForkRequest,
  id: string,
  now: number,
): Checkpoint {
  const last = log.at(-1)?.seq ?? 0;
  if (!Number.isInteger(request.atSeq) || request.atSeq < 1 || request.atSeq > last) {
    throw new RequestError('BAD_REQUEST', `run ${request.runId}: event ${request.atSeq} is not in its log (1..${last})`);
  }
  const meta: Mutable<RunMeta> = { id, flowId: source.flowId, flowVersion: source.flowVersion, createdAt: now };
  if (source.options) meta.options = source.options;
  if (source.workspace !== undefined) meta.workspace = source.workspace;
  meta.forkOf = { runId: source.id, seq: request.atSeq };
  const state: RunState = replay(meta, flow, log, request.atSeq);
  if (TERMINAL_STATUSES.has(state.status)) {
    throw new RequestError(
      'RUN_STATUS',
      `run ${request.runId} had ended (${state.status}) by event ${request.atSeq}: fork from an event before its end`,
    );
  }
  const events = log.filter((event) => event.seq <= state.eventSeq);
  const timersSet: { seq: number; fireAt: number }[] = [];
  for (const [seq, pending] of Object.entries(state.pending)) {
    if (pending.kind === 'timer' && !pending.due) timersSet.push({ seq: Number(seq), fireAt: pending.fireAt });
  }
  return {
    state,
    created: true,
    snapshot: true,
    events,
    steps: [],
    timersSet,
    timersCleared: [],
    active: !isIdle(state),
  };
}
