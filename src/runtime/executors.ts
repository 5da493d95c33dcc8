/**
 * The seam where node kinds plug in: the runtime hands every `step.execute` effect to the
 * executor registered for the node's type. `task` is built in; `ai` and `ux` executors are
 * registered by their modules without touching the engine.
 */
import type { ActionRegistry } from '../actions/registry.js';
import { RunloomError } from '../errors.js';
import type { ActivityNode } from '../flow/compiled.js';

export interface StepRequest {
  readonly runId: string;
  readonly node: ActivityNode;
  /** The id the idempotency key and logs use (a map's id for its items). */
  readonly nodeId: string;
  readonly attempt: number;
  readonly input: unknown;
  readonly idempotencyKey: string;
  readonly signal: AbortSignal;
  readonly timeout?: number;
  readonly item?: number;
}

export interface StepResult {
  readonly output: unknown;
  /** Credits actually spent, when known. */
  readonly cost?: number;
}

export type NodeExecutor = (request: StepRequest) => Promise<StepResult>;

export type Executors = Partial<Record<ActivityNode['type'], NodeExecutor>>;

export function taskExecutor(actions: ActionRegistry, log: (message: string, data?: unknown) => void): NodeExecutor {
  return async (request) => {
    const action = request.node.action;
    if (!action) {
      throw new RunloomError(
        'NOT_EXECUTABLE',
        `task '${request.nodeId}' has no action (remote webhook steps are not available yet)`,
      );
    }
    const result = await actions.invoke(action, request.input, {
      runId: request.runId,
      nodeId: request.nodeId,
      attempt: request.attempt,
      idempotencyKey: request.idempotencyKey,
      signal: request.signal,
      ...(request.timeout === undefined ? {} : { timeoutMs: request.timeout }),
      log,
    });
    return result.cost === undefined ? { output: result.output } : { output: result.output, cost: result.cost };
  };
}
