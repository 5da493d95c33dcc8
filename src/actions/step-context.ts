/**
 * The `ActionContext` an action receives for one invocation.
 *
 * A class rather than an object literal with arrow functions: the registry builds one per step
 * on the hot path, and prototype methods cost no closure allocation. The price is that
 * `reportCost`/`log` must be called as methods (`ctx.reportCost(3)`), not pulled off with
 * destructuring.
 *
 * A step with a timeout needs its own AbortSignal (the timeout must abort the action without
 * aborting the caller's signal). Creating one costs ~5 µs in Node 20, more than a whole step's
 * budget, so it is created only when the action reads `ctx.signal`; a step aborted before
 * that hands out an already-aborted signal.
 */
import { RunloomError } from '../errors.js';
import type { AbortWatcher } from './abort-watch.js';
import type { ActionContext, LogLevel } from './action.js';

export type LogSink = (message: string, data?: unknown, level?: LogLevel) => void;

/** What the caller of `invoke` provides: the step's identity, its signal and an optional log sink. */
export interface StepIdentity {
  readonly runId: string;
  readonly nodeId: string;
  readonly attempt: number;
  readonly idempotencyKey: string;
  /** Read only when needed: a caller may make it on first read (AbortSignals are costly to create). */
  readonly signal: AbortSignal;
  /** Whether the step is already cancelled, answered without creating the signal. */
  readonly aborted?: boolean;
  readonly log?: LogSink;
}

const discard: LogSink = () => {};
const NOT_ABORTED: unique symbol = Symbol('not aborted');

/**
 * A caller of `invoke` may hand in a StepContext of its own (the runtime's step call is one):
 * for an action without a timeout it is then the action's context itself, one object per step.
 */
export class StepContext implements ActionContext {
  /** Sum of every `reportCost` call; `undefined` when the action reported nothing. */
  cost: number | undefined = undefined;
  private ownSignal: AbortSignal | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private abortReason: unknown = NOT_ABORTED;
  private abortWatcher: AbortWatcher | undefined = undefined;

  /** `shared`: use the caller's signal, read on first use. Absent: the step owns a signal, made on first read. */
  constructor(
    readonly runId: string,
    readonly nodeId: string,
    readonly attempt: number,
    readonly idempotencyKey: string,
    /** Where `log` writes. */
    readonly logSink: LogSink = discard,
    private readonly shared: StepIdentity | undefined = undefined,
  ) {}

  /** Whether this context's own signal was aborted (whether or not anybody made it). */
  get aborted(): boolean {
    return this.abortReason !== NOT_ABORTED;
  }

  get signal(): AbortSignal {
    if (this.ownSignal !== undefined) return this.ownSignal;
    if (this.shared !== undefined) {
      this.ownSignal = this.shared.signal;
      return this.ownSignal;
    }
    const controller = new AbortController();
    if (this.abortReason !== NOT_ABORTED) controller.abort(this.abortReason);
    else this.controller = controller;
    this.ownSignal = controller.signal;
    return controller.signal;
  }

  /** Aborts the step's own signal (cancelled, timed out, or the caller's signal aborted). */
  abort(reason?: unknown): void {
    if (this.abortReason !== NOT_ABORTED) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const watcher = this.abortWatcher;
    this.abortWatcher = undefined;
    watcher?.onAbort(reason);
  }

  /**
   * Calls `watcher.onAbort` once if this context is aborted before `unwatchAbort`, without making
   * a signal. One watcher at a time: false (nothing done) when another is watching or it is
   * already aborted — watch the signal then.
   */
  watchAbort(watcher: AbortWatcher): boolean {
    if (this.abortWatcher !== undefined || this.abortReason !== NOT_ABORTED) return false;
    this.abortWatcher = watcher;
    return true;
  }

  unwatchAbort(watcher: AbortWatcher): void {
    if (this.abortWatcher === watcher) this.abortWatcher = undefined;
  }

  /** Adds to the credits spent by this step; an action that calls several paid APIs reports each. */
  reportCost(credits: number): void {
    if (!Number.isFinite(credits) || credits < 0) {
      throw new RunloomError('COST_INVALID', `reportCost expects a finite number >= 0, got ${credits}`);
    }
    this.cost = (this.cost ?? 0) + credits;
  }

  log(message: string, data?: unknown, level?: LogLevel): void {
    this.logSink(message, data, level);
  }
}
