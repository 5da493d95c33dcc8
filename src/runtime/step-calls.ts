/**
 * The steps a run has executing here, by seq. Most runs have one at a time, which takes a
 * field: a Map emptied after every step shrank and regrew its table each time (a sixth of what
 * a sequential step allocated). Steps of parallel branches go to a Map beside it.
 */
import type { StepCall } from './step-call.js';

export class StepCalls {
  private one: StepCall | undefined = undefined;
  private more: Map<number, StepCall> | undefined = undefined;

  add(call: StepCall): void {
    if (this.one === undefined) this.one = call;
    else {
      this.more ??= new Map();
      this.more.set(call.seq, call);
    }
  }

  get(seq: number): StepCall | undefined {
    return this.one !== undefined && this.one.seq === seq ? this.one : this.more?.get(seq);
  }

  /** Forgets `call` (finished); a call that was replaced or aborted meanwhile is left alone. */
  remove(call: StepCall): void {
    if (this.one === call) this.one = undefined;
    else if (this.more?.get(call.seq) === call) this.more.delete(call.seq);
  }

  /** Aborts every step still executing and forgets them. */
  abortAll(): void {
    const one = this.one;
    this.one = undefined;
    one?.abort();
    if (this.more === undefined) return;
    const more = [...this.more.values()];
    this.more.clear();
    for (const call of more) call.abort();
  }
}
