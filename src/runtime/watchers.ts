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
  /**
   * Listeners per run. Arrays replaced on every change, never edited: a notification in
   * progress goes on over the list it started with (and a run's one waiter costs no Set).
   */
  private readonly listeners = new Map<string, readonly StateListener[]>();

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
    /**
     * The state of a run advancing here, when it has no commit in flight (it is durable now);
     * undefined otherwise. Changed in place later: only to look at, at once.
     */
    private readonly peek: (runId: string) => RunState | undefined,
    /** Shared: how often a waiter reads the store when the bus is silent (ms). */
    private readonly pollMs = 1_000,
  ) {}

  /** Calls `listener` with the run's state after each commit here; returns the unsubscribe function. */
  watch(runId: string, listener: StateListener): () => void {
    const before = this.listeners.get(runId);
    this.listeners.set(runId, before ? [...before, listener] : [listener]);
    return () => {
      const now = this.listeners.get(runId);
      if (!now?.includes(listener)) return;
      const rest = now.filter((l) => l !== listener);
      if (rest.length === 0) this.listeners.delete(runId);
      else this.listeners.set(runId, rest);
    };
  }

  notify(runId: string, state: RunState): void {
    const list = this.listeners.get(runId);
    if (list) for (const listener of list) listener(state);
  }

  /**
   * Resolves with the first state (now or later) that satisfies `until`. `until` may see a
   * run's own state, which changes later: it must not keep it.
   */
  waitFor(runId: string, until: (state: RunState) => boolean): Promise<RunState> {
    return new Promise<RunState>((resolve, reject) => {
      const stops: (() => void)[] = [];
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        for (const stop of stops) stop();
        return true;
      };
      const fail = (error: unknown) => {
        if (settle()) reject(error);
      };
      // `state` may be a live run's own (changed in place later): what is handed out is a copy.
      const check = (state: RunState | undefined) => {
        if (settled || !state) return;
        let satisfied: boolean;
        try {
          satisfied = until(state);
        } catch (error) {
          // Called inside a commit's callback: the waiter fails, the run goes on.
          fail(error);
          return;
        }
        if (satisfied && settle()) resolve(snapshotState(state));
      };
      const first = (state: RunState | undefined) => (state ? check(state) : fail(notFound('run', runId)));
      stops.push(this.watch(runId, check));
      const now = this.peek(runId);
      // A run here is checked at once, and copied only if it is what the waiter waits for.
      if (now !== undefined) check(now);
      if (settled) return;
      if (!this.shared) {
        if (now === undefined) this.get(runId).then(first, fail);
        return;
      }
      const onEvents = () => {
        if (!settled && !this.isLocal(runId)) this.get(runId).then(check, fail);
      };
      // The safety net for a lost message: look at the store now and then anyway.
      const poll = setInterval(onEvents, this.pollMs);
      stops.push(() => clearInterval(poll));
      this.bus
        .subscribeRun(runId, onEvents)
        .then((unsubscribe) => {
          // Subscribed after the wait was over: nothing will stop it but this.
          if (settled) unsubscribe();
          else stops.push(unsubscribe);
          return this.get(runId);
        })
        .then(first, fail);
    });
  }
}
