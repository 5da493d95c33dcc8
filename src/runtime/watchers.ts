/**
 * Who is waiting on which run: listeners called with each durable state, and `waitFor()` for
 * "the first state that satisfies …". On a shared store the run may advance in another process:
 * its events on the bus say when to read it again.
 */
import type { Bus } from '../bus/bus.js';
import { snapshotState } from '../engine/run-state.js';
import type { RunState } from '../engine/types.js';
import { notFound } from '../errors.js';

export type StateListener = (state: RunState) => void;

export class Watchers {
  private readonly listeners = new Map<string, Set<StateListener>>();

  constructor(
    private readonly bus: Bus,
    /** Whether runs can advance in other processes (shared store). */
    private readonly shared: boolean,
    /**
     * The run's durable state, from memory or the store. For a run advancing here with commits
     * in flight it waits for them: its commits notify anyway, and reading the store meanwhile
     * would cost a load and a fold per waiter.
     */
    private readonly get: (runId: string) => Promise<RunState | undefined>,
    /** Whether the run advances in this process (its commits notify here: no need to read it). */
    private readonly isLocal: (runId: string) => boolean,
    /** Shared: how often a waiter reads the store when the bus is silent (ms). */
    private readonly pollMs = 1_000,
  ) {}

  /** Calls `listener` with the run's state after each commit here; returns the unsubscribe function. */
  watch(runId: string, listener: StateListener): () => void {
    let set = this.listeners.get(runId);
    if (!set) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      // Only drop the set if it is still the registered one (a later watch may have made a new one).
      if (set.size === 0 && this.listeners.get(runId) === set) this.listeners.delete(runId);
    };
  }

  notify(runId: string, state: RunState): void {
    const set = this.listeners.get(runId);
    // No copy: a Set's iteration skips listeners removed meanwhile (a waiter that resolved).
    if (set) for (const listener of set) listener(state);
  }

  /** Resolves with the first state (now or later) that satisfies `until`. */
  async waitFor(runId: string, until: (state: RunState) => boolean): Promise<RunState> {
    const stops: (() => void)[] = [];
    try {
      return await new Promise<RunState>((resolve, reject) => {
        // `state` may be a live run's own (changed in place later): what is handed out is a copy.
        const check = (state: RunState | undefined) => {
          if (state && until(state)) resolve(snapshotState(state));
        };
        stops.push(this.watch(runId, check));
        const onEvents = () => {
          if (!this.isLocal(runId)) this.get(runId).then(check, reject);
        };
        const subscribed = this.shared ? this.bus.subscribeRun(runId, onEvents) : Promise.resolve(undefined);
        if (this.shared) {
          // The safety net for a lost message: look at the store now and then anyway.
          const poll = setInterval(onEvents, this.pollMs);
          stops.push(() => clearInterval(poll));
        }
        subscribed
          .then((unsubscribe) => {
            if (unsubscribe) stops.push(unsubscribe);
            return this.get(runId);
          })
          .then((state) => (state ? check(state) : reject(notFound('run', runId))), reject);
      });
    } finally {
      for (const stop of stops) stop();
    }
  }
}
