/** Which changes a subscriber wants (F5.3): path globs, change types, author. */
import type { SwarmChange } from './changes.js';
import type { PatchOp, PatchOpName } from './patch.js';
import { pathTouches } from './paths.js';

export interface ChangeFilter {
  /** Globs over patch paths (`blackboard.*`, `subtasks.**`); any path when absent. */
  readonly paths?: readonly string[];
  /** Operation names (`append`, `set`…) or change kinds (`rollback`, `stopped`); any when absent. */
  readonly types?: readonly (PatchOpName | 'created' | 'rollback' | 'stopped')[];
  readonly author?: string;
}

/**
 * The change as the subscriber sees it: only the operations its filter wants, or undefined when
 * none is wanted. Kinds without operations (stopped) pass a filter without paths.
 */
export function filterChange(change: SwarmChange, filter: ChangeFilter): SwarmChange | undefined {
  if (filter.author !== undefined && change.author !== filter.author) return undefined;
  const kindWanted = filter.types?.includes(change.kind as never) ?? false;
  const wanted = (op: PatchOp) =>
    (filter.types === undefined || kindWanted || filter.types.includes(op.op)) &&
    (filter.paths === undefined || filter.paths.some((glob) => pathTouches(glob, op.path)));
  if (change.ops.length === 0)
    return filter.paths === undefined && (filter.types === undefined || kindWanted) ? change : undefined;
  const ops = change.ops.filter(wanted);
  return ops.length === 0 ? undefined : ops.length === change.ops.length ? change : { ...change, ops };
}
