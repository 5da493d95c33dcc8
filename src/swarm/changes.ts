/**
 * What each version of a swarm records and subscribers receive: who changed what, when. A
 * rollback records the operations that take the context back (`rollbackOps`), so every change
 * reads the same way to a subscriber.
 */
import type { SwarmContext } from './context.js';
import type { PatchOp } from './patch.js';

export type ChangeKind = 'created' | 'patch' | 'rollback' | 'stopped';

export interface SwarmChange {
  readonly swarmId: string;
  readonly version: number;
  readonly kind: ChangeKind;
  readonly author: string;
  readonly at: number;
  readonly ops: readonly PatchOp[];
  /** For a rollback: the version whose context it restored. */
  readonly toVersion?: number;
}

/** Keyed sections: a rollback names their keys one by one, so subscribers see what moved. */
const KEYED = ['blackboard', 'subtasks'] as const;

/** Operations that say how `to` differs from `from`, section by section (keys of keyed ones). */
export function rollbackOps(from: SwarmContext, to: SwarmContext): PatchOp[] {
  const ops: PatchOp[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const section of ['goal', 'team', 'policies', 'resources'] as const) {
    if (!same(from[section], to[section])) ops.push({ op: 'set', path: section, value: to[section] });
  }
  for (const section of KEYED) {
    const before = from[section] as Record<string, unknown>;
    const after = to[section] as Record<string, unknown>;
    for (const key of Object.keys(before)) if (!(key in after)) ops.push({ op: 'delete', path: `${section}.${key}` });
    for (const [key, value] of Object.entries(after)) {
      if (!same(before[key], value)) ops.push({ op: 'set', path: `${section}.${key}`, value });
    }
  }
  return ops;
}
