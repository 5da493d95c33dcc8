/**
 * The `reasoning` strategy: the model answers, asking for tools as it needs them, until it
 * gives a final answer that satisfies `outputSchema` (F4.2). A round is one model answer that
 * asks for tools; the tools of a round run one after another, in the order the model asked,
 * each with its own idempotency key. A final answer that is not valid JSON for the schema is
 * sent back with the problems, at most `maxOutputRetries` times. Every answer and tool outcome
 * is a recorded unit of the step (journal.ts): an execution after a crash goes on where it was.
 */
import type { ModelMessage } from 'ai';
import type { ActionRegistry } from '../actions/registry.js';
import type { StepDetail } from '../engine/types.js';
import { RunloomError } from '../errors.js';
import type { AiStepInput } from '../flow/ai-step-input.js';
import { compileSchemaCheck } from '../flow/json-schema.js';
import { PaidStepFailure, type StepRequest, type StepResult } from '../runtime/executors.js';
import { StepJournal } from './journal.js';
import type { StepMeter } from './meter.js';
import type { ModelEntry } from './models.js';
import { ToolLoop } from './tool-loop.js';
import { actionTools } from './tools.js';

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
  readonly journal: StepJournal;
  readonly now: () => number;
  readonly onText?: (delta: string) => void;
}

/**
 * The step's result with what its model calls cost; a failure still charges them (a paid
 * failure), so a run's usage is the sum of its steps whether they succeed or not.
 */
export async function reasonPaid(ctx: Omit<ReasoningContext, 'journal'>): Promise<StepResult> {
  const journal = new StepJournal(ctx.request, ctx.meter);
  return paid(ctx.meter, journal, () => reason({ ...ctx, journal }));
}

/**
 * What a strategy's work gives the step: its output with what it cost, or a paid failure. The
 * detail says how many units came from the journal (work an earlier execution did).
 */
export async function paid<T>(
  meter: StepMeter,
  journal: StepJournal,
  work: () => Promise<T>,
): Promise<{ output: T; cost: number; detail: StepDetail }> {
  const extra = () => (journal.replayed > 0 ? { replayedUnits: journal.replayed } : {});
  try {
    const output = await work();
    return { output, cost: meter.credits, detail: meter.detail(extra()) };
  } catch (error) {
    throw new PaidStepFailure(error, meter.credits, meter.detail(extra()));
  }
}

export async function reason(ctx: ReasoningContext): Promise<unknown> {
  const { request, step, settings } = ctx;
  if (step.prompt === undefined || step.prompt.trim() === '') {
    throw new RunloomError('AI_PROMPT_MISSING', `ai step '${request.nodeId}' has no prompt for the model`);
  }
  const check = settings.outputSchema === undefined ? undefined : compileSchemaCheck(settings.outputSchema);
  const system = systemText(step.system, settings.outputSchema);
  const loop = new ToolLoop({
    request,
    entry: ctx.entry,
    actions: ctx.actions,
    journal: ctx.journal,
    now: ctx.now,
    ...(system ? { system } : {}),
    ...(settings.tools.length > 0 ? { tools: actionTools(ctx.actions, settings.tools) } : {}),
    maxToolRounds: settings.maxToolRounds,
    ...(settings.maxOutputTokens ? { maxOutputTokens: settings.maxOutputTokens } : {}),
    ...(ctx.onText ? { onText: ctx.onText } : {}),
  });
  const messages: ModelMessage[] = [{ role: 'user', content: step.prompt }];
  for (let repairs = 0; ; repairs++) {
    const answer = await loop.answer(messages);
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
