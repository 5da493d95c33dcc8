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

/** `settled`: what `settledStep()` read before the transition. */
export function checkpointOf(
  event: EngineEvent,
  settled: PendingStep | undefined,
  t: Transition,
  flow: CompiledFlow,
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
  return { state: t.state, created, events: t.events, steps, timersSet, timersCleared, active: !isIdle(t.state) };
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
