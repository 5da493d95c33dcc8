/**
 * One execution of a step: the request an executor sees, and for a task the action's context
 * itself (a StepContext: its AbortSignal is made only when somebody reads it, since creating one
 * costs more than a whole no-op step, or when the step is cancelled first).
 */
import type { LogSink } from '../actions/step-context.js';
import { StepContext } from '../actions/step-context.js';
import type { Effect, EngineEvent, StepUnit } from '../engine/types.js';
import { RunloomError, toErrorInfo } from '../errors.js';
import type { CompiledFlow, StepNode } from '../flow/compiled.js';
import { isWaiting, PaidStepFailure, type StepOutcome, type StepRequest } from './executors.js';
import { type OutputLimits, unstorableOutput } from './output-limits.js';

type ExecuteEffect = Extract<Effect, { type: 'step.execute' }>;

/** How a step's unit reaches its run's log (the runtime's); resolves once durable. */
export type UnitRecorder = (call: StepCall, unit: StepUnit) => Promise<void>;

const NO_UNITS: readonly StepUnit[] = [];

const notRecorded: UnitRecorder = (call) =>
  Promise.reject(
    new RunloomError('NOT_RECORDED', `step '${call.nodeId}' is not executed by a runtime: it cannot record its work`),
  );

export class StepCall extends StepContext implements StepRequest {
  readonly input: unknown;
  readonly timeoutMs: number | undefined;
  readonly item: number | undefined;
  readonly seq: number;
  readonly journal: readonly StepUnit[];

  constructor(
    runId: string,
    readonly node: StepNode,
    effect: ExecuteEffect,
    log: LogSink,
    private readonly recorder: UnitRecorder = notRecorded,
  ) {
    super(runId, effect.nodeId, effect.attempt, effect.idempotencyKey, log);
    this.seq = effect.seq;
    this.input = effect.input;
    this.timeoutMs = effect.timeout;
    this.item = effect.item;
    this.journal = effect.journal ?? NO_UNITS;
  }

  record(unit: StepUnit): Promise<void> {
    return this.recorder(this, unit);
  }
}

/** The event a finished step gives its run: a failure when its output cannot be stored. */
export function stepResultEvent(
  step: { readonly seq: number; readonly nodeId: string },
  at: number,
  result: StepOutcome | undefined,
  error: unknown,
  limits: OutputLimits,
): EngineEvent {
  const seq = step.seq;
  if (result && isWaiting(result)) return { type: 'step.waiting', at, seq, waitingFor: result.waitingFor };
  if (!result) {
    if (!(error instanceof PaidStepFailure)) return { type: 'step.failed', at, seq, error: toErrorInfo(error) };
    const failed = { type: 'step.failed' as const, at, seq, error: toErrorInfo(error.error), cost: error.cost };
    return error.detail === undefined ? failed : { ...failed, detail: error.detail };
  }
  const unstorable = unstorableOutput(step.nodeId, result.output, limits);
  if (unstorable) return { type: 'step.failed', at, seq, error: unstorable.toInfo() };
  if (result.detail !== undefined) {
    const completed = { type: 'step.completed' as const, at, seq, output: result.output, detail: result.detail };
    return result.cost === undefined ? completed : { ...completed, cost: result.cost };
  }
  return result.cost === undefined
    ? { type: 'step.completed', at, seq, output: result.output }
    : { type: 'step.completed', at, seq, output: result.output, cost: result.cost };
}

/** The node a step runs (a map's body for its items; a decision a model makes). */
export function activityOf(flow: CompiledFlow, nodeId: string): StepNode {
  const declared = flow.nodes[flow.nodeIndex.get(nodeId) as number];
  return (declared.type === 'map' ? declared.body : declared) as StepNode;
}
