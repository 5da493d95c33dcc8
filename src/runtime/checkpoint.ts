/** Turns one transition into the checkpoint the store writes in one transaction. */
import type { EngineEvent, PendingStep, RunState, Transition } from '../engine/types.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Checkpoint, StepRow } from '../store/store.js';

function stepRow(
  flow: CompiledFlow,
  seq: number,
  pending: PendingStep,
  end: Pick<StepRow, 'status' | 'output' | 'error' | 'endedAt'>,
): StepRow {
  const row: StepRow = {
    seq,
    nodeId: flow.nodes[pending.node].id,
    // States written before pending steps named their branch have none.
    branch: pending.branch ?? '?',
    attempt: pending.attempt,
    input: pending.input,
    startedAt: pending.startedAt,
    ...end,
  };
  return pending.item === undefined ? row : { ...row, item: pending.item };
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
  const steps: StepRow[] = [];
  const timersSet: { seq: number; fireAt: number }[] = [];
  const timersCleared: number[] = [];
  if (settled && (event.type === 'step.completed' || event.type === 'step.failed')) {
    steps.push(
      stepRow(
        flow,
        event.seq,
        settled,
        event.type === 'step.completed'
          ? { status: 'completed', output: event.output, endedAt: event.at }
          : { status: 'failed', error: event.error, endedAt: event.at },
      ),
    );
  } else if (event.type === 'timer.fired') {
    timersCleared.push(event.seq);
  }
  for (const effect of t.effects) {
    if (effect.type === 'timer.start') timersSet.push({ seq: effect.seq, fireAt: effect.fireAt });
    else if (effect.type === 'timer.cancel') timersCleared.push(effect.seq);
    else if (effect.type === 'step.cancel')
      steps.push(stepRow(flow, effect.seq, effect.step, { status: 'cancelled', endedAt: event.at }));
  }
  const active = !isIdle(t.state);
  const snapshot = created || needsSnapshot(t.state, active, mark);
  return { state: t.state, created, snapshot, events: t.events, steps, timersSet, timersCleared, active };
}

/**
 * Nothing in flight: the run can leave memory, and a worker can give up its lease (the run comes
 * back when a signal, callback, timer or child's outcome arrives for it).
 */
export function isIdle(state: RunState): boolean {
  if (state.status === 'running' || state.status === 'queued') return false;
  for (const key in state.pending) {
    const kind = state.pending[key].kind;
    if (kind === 'step' || kind === 'child') return false;
  }
  return true;
}
