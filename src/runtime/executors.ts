/**
 * The seam where node kinds plug in: the runtime hands every `step.execute` effect to the
 * executor registered for the node's type. `task` is built in; `ai` and `ux` executors are
 * registered by their modules without touching the engine.
 */

import type { ActionRegistry } from '../actions/registry.js';
import type { LogSink } from '../actions/step-context.js';
import type { StepDetail, StepUnit } from '../engine/types.js';
import { RunloomError } from '../errors.js';
import type { StepNode } from '../flow/compiled.js';

export interface StepRequest {
  readonly runId: string;
  readonly node: StepNode;
  /** The id the idempotency key and logs use (a map's id for its items). */
  readonly nodeId: string;
  readonly attempt: number;
  readonly input: unknown;
  readonly idempotencyKey: string;
  /** Aborted when the step is cancelled. Made on first read: read it only when you need it. */
  readonly signal: AbortSignal;
  /** Whether the step was cancelled, without making the signal. */
  readonly aborted: boolean;
  /** ms; the step fails with TIMEOUT after it. */
  readonly timeoutMs?: number;
  readonly item?: number;
  /** Call it as a method (`request.log(...)`): it may be one. */
  readonly log: LogSink;
  /** What the step recorded in its earlier executions (a crash, a person's turn), oldest first; empty on its first. */
  readonly journal: readonly StepUnit[];
  /**
   * Records a unit of the step's work (`step.progressed`) in the run's log, with the run's
   * checkpoint; resolves once it is durable, so an effect recorded is never done again. Rejects
   * when the step is no longer in flight (cancelled). Call it as a method.
   */
  record(unit: StepUnit): Promise<void>;
}

/**
 * Returned by an executor whose step now waits for a person's message (a conversation's turn):
 * the step stays in flight, parked, and is executed again with its journal when one arrives.
 */
export interface StepWaiting {
  readonly waitingFor: 'message';
}

export interface StepResult {
  readonly output: unknown;
  /** Credits actually spent, when known. */
  readonly cost?: number | undefined;
  /** How the step ran (kept in its event and on its record). */
  readonly detail?: StepDetail | undefined;
}

/**
 * Thrown by an executor whose step failed after spending credits (paid model calls): the run
 * is charged what was spent, and the detail is kept with the failure.
 */
export class PaidStepFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly cost: number,
    readonly detail?: StepDetail,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Executes one step. A result returned as it is (not in a promise) is applied without a promise
 * turn; throwing fails the step like a rejection does.
 */
export type NodeExecutor = (request: StepRequest) => StepOutcome | Promise<StepOutcome>;

/** What an executor gives back: the step's result, or that it waits for a person. */
export type StepOutcome = StepResult | StepWaiting;

export const isWaiting = (outcome: StepOutcome): outcome is StepWaiting => (outcome as StepWaiting).waitingFor !== undefined;

/** By node type: task, ai, ux, and decision for decisions a model makes (`mode: ai`). */
export type Executors = Partial<Record<StepNode['type'], NodeExecutor>>;

export function taskExecutor(actions: ActionRegistry): NodeExecutor {
  return (request) => {
    const action = request.node.type === 'task' ? request.node.action : undefined;
    if (!action) {
      throw new RunloomError(
        'NOT_EXECUTABLE',
        `task '${request.nodeId}' has no action (remote webhook steps are not available yet)`,
      );
    }
    // The request is the invoke context as it is: nothing is copied and the signal stays unmade.
    return actions.call(action, request.input, request);
  };
}
