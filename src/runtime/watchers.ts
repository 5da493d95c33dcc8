/**
 * Who is waiting on which run: `waitFor()` for "the first state that satisfies …", told of each
 * durable state a commit here makes. On a shared store the run may advance in another process:
 * its events on the bus say when to read it again.
 */
import type { Bus } from '../bus/bus.js';
import { snapshotState } from '../engine/run-state.js';
import type { RunState } from '../engine/types.js';
import { notFound } from '../errors.js';

/**
 * One `waitFor` call. A class with methods, not a handful of closures: every `runs.start` +
 * `runs.wait` makes one, and with 1,000 runs waited on at once they all outlive a scavenge.
 */
class Waiter {
  settled = false;
  /** Shared stores: what else to stop when the wait ends (poll timer, bus subscription). */
  stops: (() => void)[] | undefined = undefined;

  constructor(
    private readonly watchers: Watchers,
    readonly runId: string,
    private readonly until: (state: RunState) => boolean,
    private readonly resolve: (state: RunState) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /**
   * `state` may be a live run's own (changed in place later): what is handed out is a copy,
   * unless it is one already (`owned`: what `get` read).
   */
  check(state: RunState | undefined, owned: boolean): void {
    if (this.settled || !state) return;
    let satisfied: boolean;
    try {
      satisfied = this.until(state);
    } catch (error) {
      // Called inside a commit's callback: the waiter fails, the run goes on.
      this.fail(error);
      return;
    }
    if (satisfied && this.settle()) this.resolve(owned ? state : snapshotState(state));
  }

  /** The first read of the run: it must exist. */
  first(state: RunState | undefined): void {
    if (state) this.check(state, true);
    else this.fail(notFound('run', this.runId));
  }

  fail(error: unknown): void {
    if (this.settle()) this.reject(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.watchers.remove(this);
    if (this.stops) for (const stop of this.stops) stop();
    return true;
  }
}

export class Watchers {
  /**
   * Waiters per run. Arrays replaced on every change, never edited: a notification in progress
   * goes on over the list it started with (and a run's one waiter costs no Set).
   */
  private readonly waiters = new Map<string, readonly Waiter[]>();

  constructor(
    private readonly bus: Bus,
    /** Whether runs can advance in other processes (shared store). */
    private readonly shared: boolean,
    /**
     * The run's durable state, from memory or the store, as a copy the caller owns. For a run
     * advancing here with commits in flight it waits for them: its commits notify anyway, and
     * reading the store meanwhile would cost a load and a fold per waiter.
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

  /** Tells the run's waiters of its state after a commit here. */
  notify(runId: string, state: RunState): void {
    const list = this.waiters.get(runId);
    if (list) for (const waiter of list) waiter.check(state, false);
  }

  /**
   * Resolves with the first state (now or later) that satisfies `until`. `until` may see a
   * run's own state, which changes later: it must not keep it.
   */
  waitFor(runId: string, until: (state: RunState) => boolean): Promise<RunState> {
    return new Promise<RunState>((resolve, reject) => {
      const waiter = new Waiter(this, runId, until, resolve, reject);
      this.add(waiter);
      const now = this.peek(runId);
      // A run here is checked at once, and copied only if it is what the waiter waits for.
      if (now !== undefined) waiter.check(now, false);
      if (waiter.settled) return;
      if (!this.shared) {
        if (now === undefined)
          this.get(runId).then(
            (state) => waiter.first(state),
            (error) => waiter.fail(error),
          );
        return;
      }
      this.follow(waiter);
    });
  }

  /** Removes a waiter (its wait is over). */
  remove(waiter: Waiter): void {
    const now = this.waiters.get(waiter.runId);
    if (!now?.includes(waiter)) return;
    const rest = now.filter((w) => w !== waiter);
    if (rest.length === 0) this.waiters.delete(waiter.runId);
    else this.waiters.set(waiter.runId, rest);
  }

  private add(waiter: Waiter): void {
    const before = this.waiters.get(waiter.runId);
    this.waiters.set(waiter.runId, before ? [...before, waiter] : [waiter]);
  }

  /** Shared store: the run may advance elsewhere; its events on the bus say when to read it. */
  private follow(waiter: Waiter): void {
    const runId = waiter.runId;
    const read = (state: RunState | undefined) => waiter.check(state, true);
    const fail = (error: unknown) => waiter.fail(error);
    const onEvents = () => {
      if (!waiter.settled && !this.isLocal(runId)) this.get(runId).then(read, fail);
    };
    // The safety net for a lost message: look at the store now and then anyway.
    const poll = setInterval(onEvents, this.pollMs);
    const stops = [() => clearInterval(poll)];
    waiter.stops = stops;
    this.bus
      .subscribeRun(runId, onEvents)
      .then((unsubscribe) => {
        // Subscribed after the wait was over: nothing will stop it but this.
        if (waiter.settled) unsubscribe();
        else stops.push(unsubscribe);
        return this.get(runId);
      })
      .then((state) => waiter.first(state), fail);
  }
}
