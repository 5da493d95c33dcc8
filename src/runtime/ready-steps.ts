/**
 * Results of steps that finished synchronously (`set`, `template`, `json.transform`, most
 * decisions' work), applied by one loop instead of one inside the other.
 *
 * Applying a result can start the run's next step, whose result may be ready at once too. Applied
 * where it appears, that would nest a transition inside the one that started the step (still
 * carrying out its effects) and grow the stack with every step of a long synchronous chain.
 * Instead the result waits here until the outermost transition is done (`hold`/`release`
 * bracket every transition), and this loop applies it then, in the order results came.
 *
 * So a run whose steps finish synchronously keeps going until it waits, without a promise turn
 * per step and while its objects are still in the caches. The loop gives the event loop a turn
 * every {@link SLICE_MS} so that timers, I/O and other callers are not starved by a long chain
 * (a chain of promise turns, as before, never let them in).
 */

import type { StepOutcome } from './executors.js';
import type { LiveRun } from './live-run.js';
import type { StepCall } from './step-call.js';

/** How long the loop runs before it lets the event loop in (ms). */
const SLICE_MS = 4;
/** Applied results kept at the front of the queue before they are dropped. */
const COMPACT_AFTER = 1_024;

export type StepEnd = (live: LiveRun, call: StepCall, result: StepOutcome | undefined, error: unknown) => void;

export class ReadySteps {
  // Parallel arrays, not a record per result: one array slot each, nothing allocated per step.
  private readonly lives: (LiveRun | undefined)[] = [];
  private readonly calls: (StepCall | undefined)[] = [];
  private readonly results: (StepOutcome | undefined)[] = [];
  private readonly errors: unknown[] = [];
  private head = 0;
  private holds = 0;
  private draining = false;
  private resumeArmed = false;

  constructor(private readonly end: StepEnd) {}

  /** A transition begins: results that arrive during it wait for its end. */
  hold(): void {
    this.holds++;
  }

  /** A transition is done: the outermost one applies the results that are waiting. */
  release(): void {
    if (--this.holds === 0) this.drain();
  }

  /** A step finished synchronously (with `result`, or failed with `error`). */
  push(live: LiveRun, call: StepCall, result: StepOutcome | undefined, error: unknown): void {
    this.lives.push(live);
    this.calls.push(call);
    this.results.push(result);
    this.errors.push(error);
    if (this.holds === 0) this.drain();
  }

  private drain(): void {
    if (this.draining || this.head === this.lives.length) return;
    this.draining = true;
    const started = performance.now();
    let applied = 0;
    try {
      while (this.head < this.lives.length) {
        const i = this.head++;
        const live = this.lives[i] as LiveRun;
        const call = this.calls[i] as StepCall;
        const result = this.results[i];
        const error = this.errors[i];
        this.lives[i] = undefined;
        this.calls[i] = undefined;
        this.results[i] = undefined;
        this.errors[i] = undefined;
        this.end(live, call, result, error);
        if ((++applied & 63) === 0 && performance.now() - started > SLICE_MS) {
          this.resumeLater();
          break;
        }
      }
    } finally {
      this.draining = false;
      if (this.head === this.lives.length) this.reset();
      else if (this.head >= COMPACT_AFTER) this.compact();
    }
  }

  /**
   * Drops the applied prefix. A long chain never empties the queue (each result it applies
   * queues the next), so without this the arrays would grow by a slot per step while it lasts.
   */
  private compact(): void {
    const done = this.head;
    this.lives.splice(0, done);
    this.calls.splice(0, done);
    this.results.splice(0, done);
    this.errors.splice(0, done);
    this.head = 0;
  }

  private resumeLater(): void {
    if (this.resumeArmed) return;
    this.resumeArmed = true;
    setImmediate(() => {
      this.resumeArmed = false;
      this.drain();
    });
  }

  private reset(): void {
    this.head = 0;
    this.lives.length = 0;
    this.calls.length = 0;
    this.results.length = 0;
    this.errors.length = 0;
  }
}
