/** Turns one transition into the checkpoint the store writes in one transaction. */
import type { EngineEvent, PendingEffect, RunState, Transition } from '../engine/types.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Checkpoint, StepRow } from '../store/store.js';

type StepPending = Extract<PendingEffect, { kind: 'step' }>;

function stepRow(
  before: RunState,
  flow: CompiledFlow,
  seq: number,
  pending: StepPending,
  end: Pick<StepRow, 'status' | 'output' | 'error' | 'endedAt'>,
): StepRow {
  const token = before.tokens.find((t) => t.id === pending.token);
  return {
    seq,
    nodeId: flow.nodes[pending.node].id,
    branch: token?.branch ?? '?',
    attempt: pending.attempt,
    ...(pending.item === undefined ? {} : { item: pending.item }),
    input: pending.input,
    startedAt: pending.startedAt,
    ...end,
  };
}

export function checkpointOf(
  before: RunState,
  event: EngineEvent,
  t: Transition,
  flow: CompiledFlow,
  created = false,
): Checkpoint {
  const steps: StepRow[] = [];
  const timersSet: { seq: number; fireAt: number }[] = [];
  const timersCleared: number[] = [];
  if (event.type === 'step.completed' || event.type === 'step.failed') {
    const pending = before.pending[event.seq] as StepPending;
    steps.push(
      stepRow(before, flow, event.seq, pending, {
        status: event.type === 'step.completed' ? 'completed' : 'failed',
        ...(event.type === 'step.completed' ? { output: event.output } : { error: event.error }),
        endedAt: event.at,
      }),
    );
  } else if (event.type === 'timer.fired') {
    timersCleared.push(event.seq);
  }
  for (const effect of t.effects) {
    if (effect.type === 'timer.start') timersSet.push({ seq: effect.seq, fireAt: effect.fireAt });
    else if (effect.type === 'timer.cancel') timersCleared.push(effect.seq);
    else if (effect.type === 'step.cancel') {
      const pending = before.pending[effect.seq];
      if (pending?.kind === 'step')
        steps.push(stepRow(before, flow, effect.seq, pending, { status: 'cancelled', endedAt: event.at }));
    }
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
