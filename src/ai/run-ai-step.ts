/**
 * One ai step: choose the strategy (recorded with why), run it, and report what it spent.
 * A step that fails after paying for model calls still charges them (PaidStepFailure).
 */
import { estimateCost } from '../actions/registry.js';
import { RunloomError } from '../errors.js';
import type { AiStepInput } from '../flow/ai-step-input.js';
import type { StepOutcome, StepRequest } from '../runtime/executors.js';
import { converse, DEFAULT_MAX_TURNS } from './conversation.js';
import type { AiExecutorOptions } from './executor.js';
import { withLiveText } from './live-text.js';
import { StepMeter } from './meter.js';
import { DEFAULT_MAX_OUTPUT_RETRIES, reasonPaid } from './reasoning.js';
import { type AiNodeFields, chooseStrategy } from './strategy.js';

const DEFAULT_MAX_TOOL_ROUNDS = 8;

interface AiNode extends AiNodeFields {
  readonly model?: string;
  readonly tools?: readonly string[];
  readonly action?: string;
  readonly maxToolRounds?: number;
  readonly maxOutputRetries?: number;
  readonly maxOutputTokens?: number;
  readonly maxTurns?: number;
  readonly conversation?: { readonly firstTurn?: 'model' | 'person' };
}

export async function runAiStep(request: StepRequest, options: AiExecutorOptions): Promise<StepOutcome> {
  const now = options.now ?? Date.now;
  const node = request.node.raw as AiNode;
  const step = request.input as AiStepInput;
  const strategy = chooseStrategy(node, step.strategy);
  if (strategy.name === 'deterministic') {
    if (!node.action) {
      throw new RunloomError('AI_ACTION_MISSING', `ai step '${request.nodeId}' runs deterministic but names no \`action\``);
    }
    const result = await options.actions.call(node.action, step.input, request);
    const definition = options.actions.get(node.action);
    const detail = { strategy: strategy.name, strategyReason: strategy.reason, action: node.action };
    // What the action reported, else what it declares: the ai node's own estimate knows no action.
    return { output: result.output, cost: result.cost ?? (definition ? estimateCost(definition, step.input) : 0), detail };
  }
  const entry = options.models.get(node.model ?? 'default');
  const meter = new StepMeter(strategy, entry, now);
  // The settings both strategies that talk to the model read from the node.
  const settings = {
    tools: node.tools ?? [],
    outputSchema: node.outputSchema,
    maxToolRounds: node.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS,
    maxOutputRetries: node.maxOutputRetries ?? DEFAULT_MAX_OUTPUT_RETRIES,
    ...(node.maxOutputTokens ? { maxOutputTokens: node.maxOutputTokens } : {}),
  };
  const context = { request, step, entry, actions: options.actions, meter, now, ...withLiveText(request, options) };
  if (strategy.name === 'conversational') {
    return converse({
      ...context,
      settings: {
        ...settings,
        maxTurns: node.maxTurns ?? DEFAULT_MAX_TURNS,
        firstTurn: node.conversation?.firstTurn ?? 'model',
      },
    });
  }
  return reasonPaid({ ...context, settings });
}
