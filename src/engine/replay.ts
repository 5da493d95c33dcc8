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
