/**
 * Registered actions offered to a model as tools: an action's zod input schema is the tool's
 * schema. The model never runs anything itself: the reasoning loop calls the action, with an
 * idempotency key of its own per call (`runId:nodeId:attempt:branch:round:call`).
 */
import { type ToolSet, tool } from 'ai';
import { type ActionRegistry, estimateCost } from '../actions/registry.js';
import { RunloomError } from '../errors.js';
import type { StepRequest } from '../runtime/executors.js';

export interface ActionTools {
  readonly set: ToolSet;
  /** The action a tool name stands for (tool names may not contain dots). */
  actionOf(toolName: string): string | undefined;
}

export const toolNameOf = (action: string) => action.replace(/[^A-Za-z0-9_-]/g, '_');

export function actionTools(actions: ActionRegistry, names: readonly string[]): ActionTools {
  const set: ToolSet = {};
  const byTool = new Map<string, string>();
  for (const name of names) {
    const action = actions.get(name);
    if (!action) throw new RunloomError('UNKNOWN_ACTION', `tool '${name}' is not a registered action`);
    const toolName = toolNameOf(name);
    if (byTool.has(toolName)) {
      throw new RunloomError('TOOL_NAME_CLASH', `tools '${byTool.get(toolName)}' and '${name}' both become '${toolName}'`);
    }
    byTool.set(toolName, name);
    set[toolName] = tool({ description: action.description ?? name, inputSchema: action.input });
  }
  return { set, actionOf: (toolName) => byTool.get(toolName) };
}

export interface ToolOutcome {
  readonly ok: boolean;
  readonly output?: unknown;
  readonly error?: string;
  readonly cost: number;
}

/**
 * Runs one tool call. A failure is an answer for the model (it may try otherwise), not a
 * failure of the step: the error is returned, not thrown.
 */
export async function runTool(
  actions: ActionRegistry,
  request: StepRequest,
  action: string | undefined,
  toolName: string,
  input: unknown,
  key: string,
): Promise<ToolOutcome> {
  if (!action) return { ok: false, error: `there is no tool named '${toolName}'`, cost: 0 };
  const definition = actions.get(action);
  const ctx = {
    runId: request.runId,
    nodeId: request.nodeId,
    attempt: request.attempt,
    idempotencyKey: key,
    get signal() {
      return request.signal;
    },
    aborted: request.aborted,
    log: request.log,
  };
  try {
    const result = await actions.invoke(action, input, ctx);
    // What the action reported, else what it declares (its fixed or estimated cost).
    return { ok: true, output: result.output, cost: result.cost ?? (definition ? estimateCost(definition, input) : 0) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error), cost: 0 };
  }
}
