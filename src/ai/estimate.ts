/**
 * What an ai step is expected to cost before it starts (F2.4, F4.4): its first model call, with
 * the prompt counted by gpt-tokenizer (an approximation for non-OpenAI tokenizers) and the
 * answer bounded by `maxOutputTokens`. The engine reserves it against maxCredits and does not
 * start a step that would cross the limit (the run pauses or fails per onLimit); the step is
 * then charged its exact cost. Later calls of a tool loop are not reserved one by one.
 */
import type { ActionCatalog } from '../actions/action.js';
import { estimateCost } from '../actions/registry.js';
import { RunloomError } from '../errors.js';
import type { AiStepInput } from '../flow/ai-step-input.js';
import type { Models } from './models.js';
import { type AiNodeFields, chooseStrategy } from './strategy.js';
import { countTokens, tokenCount } from './tokens.js';

/** The answer bound when a node sets no `maxOutputTokens`. */
export const DEFAULT_OUTPUT_BOUND = 1024;

export function aiEstimator(models: Models, actions: ActionCatalog) {
  return (node: Readonly<Record<string, unknown>>, input: unknown): number => {
    const step = input as AiStepInput;
    const strategy = chooseStrategy(node as AiNodeFields, step.strategy);
    if (strategy.name === 'deterministic') {
      const action = typeof node.action === 'string' ? actions.get(node.action) : undefined;
      return action ? estimateCost(action, step.input) : 0;
    }
    let entry: ReturnType<Models['get']>;
    try {
      entry = models.get(typeof node.model === 'string' ? node.model : 'default');
    } catch (error) {
      // An unknown model fails the step when it runs, with the same message; nothing to reserve.
      if (error instanceof RunloomError) return 0;
      throw error;
    }
    const prompt = [{ role: 'user' as const, content: step.prompt ?? '' }];
    const inputTokens =
      countTokens(step.system, prompt) + (node.outputSchema ? tokenCount(JSON.stringify(node.outputSchema)) : 0);
    const outputTokens = typeof node.maxOutputTokens === 'number' ? node.maxOutputTokens : DEFAULT_OUTPUT_BOUND;
    return entry.pricing.credits({ inputTokens, outputTokens });
  };
}
