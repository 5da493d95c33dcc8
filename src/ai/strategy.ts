/**
 * Which strategy an ai step runs, and why (F4.2 `auto`): a strategy named by configuration
 * (node, subflow call, flow default, run option — resolved when the step starts) wins; else it
 * is detected from the node's fields. The choice and the reason go on the step's record.
 */
import type { AiStepInput } from '../flow/ai-step-input.js';

export type StrategyName = 'deterministic' | 'reasoning' | 'conversational';

export interface StrategyChoice {
  readonly name: StrategyName;
  readonly reason: string;
}

const SOURCE_REASON = {
  node: 'set on the node',
  subflow: 'imposed by the subflow call',
  flow: "the flow's default",
  run: 'the run option',
} as const;

/** The fields of an ai node that detection reads. */
export interface AiNodeFields {
  readonly action?: unknown;
  readonly prompt?: unknown;
  readonly tools?: unknown;
  readonly outputSchema?: unknown;
  readonly maxTurns?: unknown;
  readonly conversation?: unknown;
}

export function chooseStrategy(node: AiNodeFields, configured: AiStepInput['strategy']): StrategyChoice {
  if (configured) return { name: configured.name as StrategyName, reason: SOURCE_REASON[configured.source] };
  if (node.conversation !== undefined || node.maxTurns !== undefined) {
    return { name: 'conversational', reason: 'auto: the node has conversation fields' };
  }
  if (node.action !== undefined && node.prompt === undefined) {
    return { name: 'deterministic', reason: 'auto: the node names an action and no prompt' };
  }
  if (Array.isArray(node.tools) && node.tools.length > 0) return { name: 'reasoning', reason: 'auto: the node has tools' };
  if (node.outputSchema !== undefined) return { name: 'reasoning', reason: 'auto: the node has an outputSchema' };
  return { name: 'reasoning', reason: 'auto: a prompt without tools (one model call)' };
}
