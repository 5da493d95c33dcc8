/**
 * A run held in memory by a runtime (`LiveRun`), how a reader waits for its durable state, and
 * how a run not in memory is read from the store: its last snapshot with the log after it folded in.
 */
import { foldTail } from '../engine/replay.js';
import { snapshotState } from '../engine/run-state.js';
import type { RunState } from '../engine/types.js';
import type { CompiledFlow } from '../flow/compiled.js';
import type { Store } from '../store/store.js';
import type { SnapshotMark } from './checkpoint.js';
import type { StepCalls } from './step-calls.js';

export interface LiveRun {
  /**
   * The run's state, which `advance()` updates in place: what the next event applies to. It is
   * durable when `uncommitted` is 0; readers get a snapshot taken then, never this object.
   */
  state: RunState;
  /** Checkpoints enqueued and not yet durable. */
  uncommitted: number;
  /** The run's last snapshot in the store; undefined until this process wrote one. */
  mark?: SnapshotMark;
  /** Called when `uncommitted` drops to 0 (a no-op event waits for the run's last commit). */
  waiters?: ((error?: unknown) => void)[];
  readonly flow: CompiledFlow;
  /** Shared store: the fence this process holds the run with. */
  fence?: number;
  /** Steps executing for the run here, by seq. */
  calls?: StepCalls;
  /**
   * Set when the runtime let go of this object (the run left memory, or memory stopped being the
   * truth): what arrives for the run then goes through a load. Saves a map lookup per step.
   */
  gone?: boolean;
  /**
   * Shared store: inbox items taken while the run was held here. Kept, not cleared at commit: a
   * read of the inbox started before that commit may still return them.
   */
  inboxApplied?: Set<number>;
}

/**
 * What `read` makes of the run's state as soon as it has no commit in flight (at once if it has
 * none). `read` sees the run's own state, which changes later: it copies what it keeps.
 */
export function whenDurable<T>(live: LiveRun, read: (state: RunState) => T): Promise<T> {
  if (live.uncommitted === 0) return Promise.resolve(read(live.state));
  return new Promise((resolve, reject) => {
    if (!live.waiters) live.waiters = [];
    // Called inside the commit's callback, before the run can change again.
    live.waiters.push((error) => (error ? reject(error) : resolve(read(live.state))));
  });
}

/** A snapshot of the run as soon as it has no commit in flight (at once if it has none). */
export const durableSnapshot = (live: LiveRun): Promise<RunState> => whenDurable(live, snapshotState);

export interface StoredRun {
  readonly state: RunState;
  readonly flow: CompiledFlow;
}

/** The run as the store has it: its last snapshot with the events logged after it folded in. */
export async function loadStoredRun(
  store: Store,
  resolveFlow: (flowId: string, version?: number) => Promise<CompiledFlow>,
  runId: string,
): Promise<StoredRun | undefined> {
  const state = await store.loadRun(runId);
  if (!state) return undefined;
  const tail = await store.readEvents(runId, state.eventSeq);
  const flow = await resolveFlow(state.meta.flowId, state.meta.flowVersion);
  return { state: foldTail(state, tail, flow), flow };
}
