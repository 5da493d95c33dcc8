/**
 * The `reasoning` strategy: the model answers, asking for tools as it needs them, until it
 * gives a final answer that satisfies `outputSchema` (F4.2). A round is one model answer that
 * asks for tools; the tools of a round run one after another, in the order the model asked,
 * each with its own idempotency key. A final answer that is not valid JSON for the schema is
 * sent back with the problems, at most `maxOutputRetries` times.
 */
import type { ModelMessage } from 'ai';
import type { ActionRegistry } from '../actions/registry.js';
import { RunloomError } from '../errors.js';
import type { AiStepInput } from '../flow/ai-step-input.js';
import { compileSchemaCheck } from '../flow/json-schema.js';
import { PaidStepFailure, type StepRequest, type StepResult } from '../runtime/executors.js';
import type { StepMeter } from './meter.js';
import { callModel } from './model-call.js';
import type { ModelEntry } from './models.js';
import { actionTools, runTool } from './tools.js';

/** How many invalid answers are sent back to the model with their problems before the step fails. */
export const DEFAULT_MAX_OUTPUT_RETRIES = 2;

export interface ReasoningSettings {
  readonly tools: readonly string[];
  readonly outputSchema?: unknown;
  readonly maxToolRounds: number;
  readonly maxOutputRetries: number;
  readonly maxOutputTokens?: number;
}

export interface ReasoningContext {
  readonly request: StepRequest;
  readonly step: AiStepInput;
  readonly settings: ReasoningSettings;
  readonly entry: ModelEntry;
  readonly actions: ActionRegistry;
  readonly meter: StepMeter;
  readonly now: () => number;
  readonly onText?: (delta: string) => void;
}

/**
 * The step's result with what its model calls cost; a failure still charges them (a paid
 * failure), so a run's usage is the sum of its steps whether they succeed or not.
 */
export async function reasonPaid(ctx: ReasoningContext): Promise<StepResult> {
  try {
    const output = await reason(ctx);
    return { output, cost: ctx.meter.credits, detail: ctx.meter.detail() };
  } catch (error) {
    throw new PaidStepFailure(error, ctx.meter.credits, ctx.meter.detail());
  }
}

export async function reason(ctx: ReasoningContext): Promise<unknown> {
  const { request, step, settings, meter } = ctx;
  if (step.prompt === undefined || step.prompt.trim() === '') {
    throw new RunloomError('AI_PROMPT_MISSING', `ai step '${request.nodeId}' has no prompt for the model`);
  }
  const tools = settings.tools.length > 0 ? actionTools(ctx.actions, settings.tools) : undefined;
  const check = settings.outputSchema === undefined ? undefined : compileSchemaCheck(settings.outputSchema);
  const system = systemText(step.system, settings.outputSchema);
  const messages: ModelMessage[] = [{ role: 'user', content: step.prompt }];
  let rounds = 0;
  let repairs = 0;
  for (;;) {
    const answer = await callModel({
      entry: ctx.entry,
      ...(system ? { system } : {}),
      messages,
      ...(tools ? { tools: tools.set } : {}),
      ...(settings.maxOutputTokens ? { maxOutputTokens: settings.maxOutputTokens } : {}),
      signal: request.signal,
      now: ctx.now,
      ...(ctx.onText ? { onText: ctx.onText } : {}),
    });
    meter.addAnswer(answer);
    if (answer.toolCalls.length > 0) {
      if (rounds >= settings.maxToolRounds) {
        throw new RunloomError(
          'AI_MAX_TOOL_ROUNDS',
          `ai step '${request.nodeId}' still asked for tools after ${settings.maxToolRounds} rounds (maxToolRounds)`,
        );
      }
      rounds++;
      messages.push({
        role: 'assistant',
        content: [
          ...(answer.text ? [{ type: 'text' as const, text: answer.text }] : []),
          ...answer.toolCalls.map((c) => ({ type: 'tool-call' as const, toolCallId: c.id, toolName: c.tool, input: c.input })),
        ],
      });
      const results: Extract<ModelMessage, { role: 'tool' }>['content'] = [];
      for (const [k, call] of answer.toolCalls.entries()) {
        const key = `${request.idempotencyKey}:${rounds}:${k + 1}`;
        const action = tools?.actionOf(call.tool);
        const outcome = await runTool(ctx.actions, request, action, call.tool, call.input, key);
        meter.addTool({
          round: rounds,
          call: k + 1,
          tool: action ?? call.tool,
          idempotencyKey: key,
          input: call.input,
          ok: outcome.ok,
          ...(outcome.ok ? { output: outcome.output } : { error: outcome.error }),
          credits: outcome.cost,
        });
        results.push({
          type: 'tool-result',
          toolCallId: call.id,
          toolName: call.tool,
          output: outcome.ok
            ? { type: 'json', value: (outcome.output ?? null) as never }
            : { type: 'error-text', value: outcome.error ?? 'failed' },
        });
      }
      messages.push({ role: 'tool', content: results });
      continue;
    }
    if (!check) return answer.text;
    const parsed = parseAnswer(answer.text);
    const problems = parsed.ok ? check(parsed.value) : [parsed.problem];
    if (!problems) return parsed.ok ? parsed.value : undefined;
    if (repairs >= settings.maxOutputRetries) {
      throw new RunloomError(
        'AI_OUTPUT_INVALID',
        `ai step '${request.nodeId}': the model's answer does not satisfy outputSchema after ${repairs + 1} tries: ${problems.join('; ')}`,
        { details: { problems, answer: answer.text } },
      );
    }
    repairs++;
    messages.push({ role: 'assistant', content: answer.text });
    messages.push({
      role: 'user',
      content: `That answer is not valid: ${problems.join('; ')}. Reply with only the corrected JSON value.`,
    });
  }
}

function systemText(system: string | undefined, outputSchema: unknown): string | undefined {
  if (outputSchema === undefined) return system;
  const rule = `Give your final answer as a single JSON value, with no other text, matching this JSON Schema: ${JSON.stringify(outputSchema)}`;
  return system ? `${system}\n\n${rule}` : rule;
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

/** The JSON in a final answer; a fenced block (```json … ```) is unwrapped, as models often write one. */
export function parseAnswer(text: string): Parsed {
  const fenced = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?```\s*$/.exec(text);
  const body = (fenced ? fenced[1] : text).trim();
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
}
