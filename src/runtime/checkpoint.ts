/** Turns one transition into the checkpoint the store writes in one transaction. */
import type { EngineEvent, PendingStep, RunState, Transition } from '../engine/types.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Mutable } from '../mutable.js';
import type { Checkpoint, StepRow } from '../store/store.js';

function stepRow(
  flow: CompiledFlow,
  seq: number,
  pending: PendingStep,
  status: StepRow['status'],
  endedAt: number,
  outcome?: { output: unknown } | { error: StepRow['error'] },
): StepRow {
  const node = flow.nodes[pending.node];
  const nodeId = node.id;
  // States written before pending steps named their branch have none.
  const branch = pending.branch ?? '?';
  const { attempt, startedAt } = pending;
  // The row keeps the input as the log does: without the secrets its action takes out (a map's
  // item runs its body's action).
  const acting = node.type === 'map' ? node.body : node;
  const input = 'loggedInput' in acting && acting.loggedInput ? acting.loggedInput(pending.input) : pending.input;
  // Every step's row: one literal with its output, not a field added afterwards.
  const row: Mutable<StepRow> =
    outcome && 'output' in outcome
      ? { seq, nodeId, branch, attempt, status, input, startedAt, endedAt, output: outcome.output }
      : { seq, nodeId, branch, attempt, status, input, startedAt, endedAt };
  if (outcome && 'error' in outcome) row.error = outcome.error;
  if (pending.item !== undefined) row.item = pending.item;
  return row;
}

/** Shared by the checkpoints that have none: most steps set no timer and cancel nothing. */
const NONE: readonly never[] = [];

function append<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

/** The step a result event settles, read before `advance()` removes it from the state. */
export function settledStep(state: RunState, event: EngineEvent): PendingStep | undefined {
  if (event.type !== 'step.completed' && event.type !== 'step.failed') return undefined;
  const pending = state.pending[event.seq];
  return pending?.kind === 'step' ? pending : undefined;
}

/** Events a running run may log after its last snapshot: what a load folds at most. */
export const SNAPSHOT_EVERY = 64;

/** What the run's row said at its last snapshot (the store leaves it alone in between). */
export interface SnapshotMark {
  readonly status: RunState['status'];
  readonly reason: RunState['reason'];
  readonly active: boolean;
  readonly eventSeq: number;
}

export const markOf = (state: RunState, active: boolean): SnapshotMark => ({
  status: state.status,
  reason: state.reason,
  active,
  eventSeq: state.eventSeq,
});

/**
 * The state is written when the run is created, when its row would change (status, reason,
 * `active`), when it parks or ends (a load then folds nothing), and every SNAPSHOT_EVERY events.
 */
function needsSnapshot(state: RunState, active: boolean, mark: SnapshotMark | undefined): boolean {
  return (
    mark === undefined ||
    !active ||
    active !== mark.active ||
    state.status !== mark.status ||
    state.reason !== mark.reason ||
    state.eventSeq - mark.eventSeq >= SNAPSHOT_EVERY
  );
}

/**
 * `settled`: what `settledStep()` read before the transition; `mark`: the run's last snapshot
 * (undefined for a run being created, or loaded from elsewhere).
 */
export function checkpointOf(
  event: EngineEvent,
  settled: PendingStep | undefined,
  t: Transition,
  flow: CompiledFlow,
  mark: SnapshotMark | undefined,
  created = false,
): Checkpoint {
  let steps: StepRow[] | undefined;
  let timersSet: { seq: number; fireAt: number }[] | undefined;
  let timersCleared: number[] | undefined;
  if (settled && event.type === 'step.completed') {
    steps = [stepRow(flow, event.seq, settled, 'completed', event.at, { output: event.output })];
  } else if (settled && event.type === 'step.failed') {
    steps = [stepRow(flow, event.seq, settled, 'failed', event.at, { error: event.error })];
  } else if (event.type === 'timer.fired') {
    timersCleared = [event.seq];
  }
  for (const effect of t.effects) {
    if (effect.type === 'timer.start') timersSet = append(timersSet, { seq: effect.seq, fireAt: effect.fireAt });
    else if (effect.type === 'timer.cancel') timersCleared = append(timersCleared, effect.seq);
    else if (effect.type === 'step.cancel') steps = append(steps, stepRow(flow, effect.seq, effect.step, 'cancelled', event.at));
  }
  const active = !isIdle(t.state);
  const snapshot = created || needsSnapshot(t.state, active, mark);
  return {
    state: t.state,
    created,
    snapshot,
    events: t.events,
    steps: steps ?? NONE,
    timersSet: timersSet ?? NONE,
    timersCleared: timersCleared ?? NONE,
    active,
  };
}

/**
 * Nothing in flight: the run can leave memory, and a worker can give up its lease (the run comes
 * back when a signal, callback, timer or child's outcome arrives for it).
 */
export function isIdle(state: RunState): boolean {
  if (state.status === 'running' || state.status === 'queued') return false;
  for (const key in state.pending) {
    const pending = state.pending[key];
    // A step waiting for a person's message is parked, as a wait node is.
    if (pending.kind === 'child' || (pending.kind === 'step' && pending.waiting === undefined)) return false;
  }
  return true;
}
