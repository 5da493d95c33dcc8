/**
 * One execution of a step: the request an executor sees, with an AbortSignal made only when
 * somebody reads it (creating one costs more than a whole no-op step) or cancels the step.
 */
import type { LogSink } from '../actions/step-context.js';
import type { Effect, EngineEvent } from '../engine/types.js';
import { toErrorInfo } from '../errors.js';
import type { ActivityNode, CompiledFlow } from '../flow/compiled.js';
import type { StepRequest, StepResult } from './executors.js';

type ExecuteEffect = Extract<Effect, { type: 'step.execute' }>;

export class StepCall implements StepRequest {
  readonly nodeId: string;
  readonly attempt: number;
  readonly input: unknown;
  readonly idempotencyKey: string;
  readonly timeoutMs: number | undefined;
  readonly item: number | undefined;
  readonly seq: number;
  private controller: AbortController | undefined = undefined;
  private cancelled = false;

  constructor(
    readonly runId: string,
    readonly node: ActivityNode,
    effect: ExecuteEffect,
    readonly log: LogSink,
  ) {
    this.seq = effect.seq;
    this.nodeId = effect.nodeId;
    this.attempt = effect.attempt;
    this.input = effect.input;
    this.idempotencyKey = effect.idempotencyKey;
    this.timeoutMs = effect.timeout;
    this.item = effect.item;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort();
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.cancelled;
  }

  abort(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.controller?.abort();
  }
}

/** The event a finished step gives its run. */
export function stepResultEvent(seq: number, at: number, result: StepResult | undefined, error: unknown): EngineEvent {
  if (!result) return { type: 'step.failed', at, seq, error: toErrorInfo(error) };
  return result.cost === undefined
    ? { type: 'step.completed', at, seq, output: result.output }
    : { type: 'step.completed', at, seq, output: result.output, cost: result.cost };
}

/** The node a step runs (a map's body for its items). */
export function activityOf(flow: CompiledFlow, nodeId: string): ActivityNode {
  const declared = flow.nodes[flow.nodeIndex.get(nodeId) as number];
  return (declared.type === 'map' ? declared.body : declared) as ActivityNode;
}
