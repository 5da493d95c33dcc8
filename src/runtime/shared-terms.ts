/** Pure helpers of the shared mode: what a checkpoint carries for its lease, and whom to wake. */
import type { Wake } from '../bus/bus.js';
import type { RunState } from '../engine/types.js';
import type { EveryField } from '../mutable.js';
import type { Checkpoint } from '../store/store.js';

export interface SharedMode {
  readonly owner: string;
  /** false: a relay (CLI, API server) that applies events and leaves the work to workers. */
  readonly execute: boolean;
}

/**
 * The checkpoint carries the fence (refused if someone claimed the run since) and gives the
 * lease back when the run parks — or always, for a relay, which does no work.
 */
export function fencedCheckpoint(checkpoint: Checkpoint, shared: SharedMode, fence: number, inboxId?: number): Checkpoint {
  // Written out, not spread: in V8 a spread that adds fields gives each object a hidden class of
  // its own (a slow copy, and slow reads of every checkpoint after it). Every step makes one.
  // Typed with every field, so that a field added to Checkpoint cannot be dropped here unseen.
  const { state, snapshot, created, events, steps, timersSet, timersCleared, active } = checkpoint;
  const fenced: EveryField<Checkpoint> = {
    state,
    snapshot,
    created,
    events,
    steps,
    timersSet,
    timersCleared,
    active,
    lease: { owner: shared.owner, fence },
    release: !shared.execute || !active,
    inboxDone: inboxId === undefined ? undefined : [inboxId],
  };
  return fenced;
}

/** A run handed back with work to do wakes the workers for it; a parked one, for its next timer. */
export function wakeFor(state: RunState, active: boolean): Wake | undefined {
  if (active) return { runId: state.meta.id };
  let timerAt = Number.POSITIVE_INFINITY;
  for (const key in state.pending) {
    const pending = state.pending[key];
    if (pending.kind === 'timer' && pending.fireAt < timerAt) timerAt = pending.fireAt;
  }
  return timerAt === Number.POSITIVE_INFINITY ? undefined : { timerAt };
}
