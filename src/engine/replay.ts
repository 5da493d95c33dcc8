import { RunloomError } from '../errors.js';
import type { CompiledFlow } from '../flow/compiled.js';
import { advance } from './advance.js';
import { createRunState } from './run-state.js';
import { ENGINE_EVENT_TYPES, type EngineEvent, type RunEvent, type RunMeta, type RunState } from './types.js';

/** Turns a logged engine event back into the input it was. */
export function toEngineEvent(event: RunEvent): EngineEvent {
  return { ...(event.data as object), type: event.type, at: event.at } as EngineEvent;
}

/**
 * Folds a run's log again from its creation. With `untilSeq`, the state as it was right after
 * that event (time travel).
 */
export function replay(
  meta: RunMeta,
  flow: CompiledFlow,
  events: readonly RunEvent[],
  untilSeq = Number.POSITIVE_INFINITY,
): RunState {
  let state = createRunState(meta, flow);
  for (const event of events) {
    if (event.seq > untilSeq) break;
    if (ENGINE_EVENT_TYPES.has(event.type)) state = advance(state, toEngineEvent(event), flow).state;
  }
  return state;
}

/**
 * Brings a stored snapshot up to date: folds the engine events logged after it (`events`: the
 * log from `state.eventSeq` on). Changes `state` in place and returns it.
 */
export function foldTail(state: RunState, events: readonly RunEvent[], flow: CompiledFlow): RunState {
  let folded = state;
  for (const event of events) {
    if (event.seq <= folded.eventSeq) continue;
    if (ENGINE_EVENT_TYPES.has(event.type)) folded = advance(folded, toEngineEvent(event), flow).state;
  }
  const last = events.at(-1);
  if (last && folded.eventSeq !== last.seq) {
    throw new RunloomError(
      'STORE_CORRUPT',
      `run ${state.meta.id}: folding its log after the snapshot ended at event ${folded.eventSeq}, but the log goes to ${last.seq}`,
    );
  }
  return folded;
}
