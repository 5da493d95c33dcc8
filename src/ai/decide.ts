/**
 * Decisions `mode: ai` (F2.8): the model picks one outgoing edge and says why. Its answer is
 * structured output limited to the edges' targets (a JSON Schema `enum`), sent back with the
 * problems when invalid, like any reasoning answer; the engine records it and takes the edge.
 */
import type { AiDecisionInput } from '../engine/nodes/decision.js';
import type { StepRequest, StepResult } from '../runtime/executors.js';
import type { AiExecutorOptions } from './executor.js';
import { withLiveText } from './live-text.js';
import { StepMeter } from './meter.js';
import { DEFAULT_MAX_OUTPUT_RETRIES, reasonPaid } from './reasoning.js';

const CHOICE = { name: 'reasoning', reason: 'an ai decision' } as const;

export async function decideWithModel(request: StepRequest, options: AiExecutorOptions): Promise<StepResult> {
  const now = options.now ?? Date.now;
  const node = request.node.raw as { model?: string; maxOutputRetries?: number; maxOutputTokens?: number };
  const { prompt, options: choices } = request.input as AiDecisionInput;
  const entry = options.models.get(node.model ?? 'default');
  const meter = new StepMeter(CHOICE, entry, now);
  const listed = choices
    .map((c) => `- "${c.to}"${c.when ? ` (when ${c.when})` : ''}${c.default ? ' (the default)' : ''}`)
    .join('\n');
  const question = `${prompt ?? `Decide how the routine goes on at '${request.nodeId}'.`}\n\nChoose exactly one of these next steps:\n${listed}\n\nAnswer with {"to": <one of the ids above>, "reason": <one sentence>}.`;
  return reasonPaid({
    request,
    step: { input: undefined, prompt: question },
    settings: {
      tools: [],
      outputSchema: {
        type: 'object',
        properties: { to: { enum: choices.map((c) => c.to) }, reason: { type: 'string' } },
        required: ['to', 'reason'],
      },
      maxToolRounds: 0,
      maxOutputRetries: node.maxOutputRetries ?? DEFAULT_MAX_OUTPUT_RETRIES,
      ...(node.maxOutputTokens ? { maxOutputTokens: node.maxOutputTokens } : {}),
    },
    entry,
    actions: options.actions,
    meter,
    now,
    ...withLiveText(request, options),
  });
}
