/** What a run had in flight when its last process stopped, to be done again (at least once). */
import type { ChildStart, Effect, RunState } from '../engine/types.js';
import type { CompiledFlow, StepNode } from '../flow/compiled.js';

export type StepEffect = Extract<Effect, { type: 'step.execute' }>;

export interface PendingWork {
  readonly steps: StepEffect[];
  readonly children: { readonly seq: number; readonly start: ChildStart }[];
}

/**
 * Steps (same seq, attempt, idempotency key and journal) and child starts (idempotent per parent seq).
 * Timers are not here: whoever takes the run over arms them from the store's timers table.
 */
export function pendingWork(state: RunState, flow: CompiledFlow): PendingWork {
  const work: PendingWork = { steps: [], children: [] };
  for (const key of Object.keys(state.pending)) {
    const seq = Number(key);
    const pending = state.pending[seq];
    // A step waiting for a person's message runs again when it comes, not now.
    if (pending.kind === 'step' && pending.waiting === undefined) {
      const node = flow.nodes[pending.node];
      work.steps.push({
        type: 'step.execute',
        seq,
        nodeId: node.id,
        nodeType: (node.type === 'map' ? node.body.type : node.type) as StepNode['type'],
        attempt: pending.attempt,
        input: pending.input,
        idempotencyKey: pending.idempotencyKey,
        ...(node.timeout === undefined ? {} : { timeout: node.timeout }),
        ...(pending.item === undefined ? {} : { item: pending.item }),
        ...(pending.journal === undefined ? {} : { journal: pending.journal }),
      });
    } else if (pending.kind === 'child') {
      work.children.push({ seq, start: pending.start });
    }
  }
  return work;
}
