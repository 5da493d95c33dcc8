/**
 * The `ai` node executor (F4.2), plugged into the runtime's executor seam. The strategies and
 * the AI SDK are loaded on the first ai step, not at start-up: a process without ai steps never
 * loads them.
 *
 * @example
 * const runloom = await createRunloom({ models: { default: new MockLanguageModelV3({ … }) } });
 */
import type { ActionRegistry } from '../actions/registry.js';
import type { Bus } from '../bus/bus.js';
import type { Executors, NodeExecutor } from '../runtime/executors.js';
import type { Models } from './models.js';

export interface AiExecutorOptions {
  readonly models: Models;
  readonly actions: ActionRegistry;
  readonly now?: () => number;
  /** Where a model's text goes as it is written (the bus); none: nobody sees it live. */
  readonly publishLive?: Bus['publishLive'];
}

export function aiExecutor(options: AiExecutorOptions): NodeExecutor {
  let loaded: Promise<typeof import('./run-ai-step.js')> | undefined;
  return async (request) => {
    loaded ??= import('./run-ai-step.js');
    return (await loaded).runAiStep(request, options);
  };
}

/** The executor of decisions `mode: ai`: the model picks an edge and gives its reason. */
export function aiDecisionExecutor(options: AiExecutorOptions): NodeExecutor {
  let loaded: Promise<typeof import('./decide.js')> | undefined;
  return async (request) => {
    loaded ??= import('./decide.js');
    return (await loaded).decideWithModel(request, options);
  };
}

/** Both, as the runtime's executors for `ai` nodes and `mode: ai` decisions. */
export function aiExecutors(options: AiExecutorOptions): Executors {
  return { ai: aiExecutor(options), decision: aiDecisionExecutor(options) };
}
