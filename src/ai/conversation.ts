/**
 * The `conversational` strategy (F4.2): the model talks with a person. The node's prompt is the
 * model's brief; the model replies, the step waits durably for the person's message (the run
 * is `waiting_for_message`, out of memory, like a wait node), and each message executes the
 * step again, which folds its journal — every answer, tool call and message so far — and asks
 * the model for the next reply. It ends when the model calls `end_conversation` (its input,
 * checked against `outputSchema`, is the result), when the person ends it, or after `maxTurns`
 * replies. Tools work as in reasoning, with maxToolRounds per turn.
 */
import { jsonSchema, type ModelMessage, type ToolSet, tool } from 'ai';
import type { ActionRegistry } from '../actions/registry.js';
import { RunloomError } from '../errors.js';
import type { AiStepInput } from '../flow/ai-step-input.js';
import { compileSchemaCheck } from '../flow/json-schema.js';
import type { StepOutcome, StepRequest } from '../runtime/executors.js';
import { StepJournal } from './journal.js';
import type { StepMeter } from './meter.js';
import type { ModelAnswer } from './model-call.js';
import type { ModelEntry } from './models.js';
import { paid } from './reasoning.js';
import { assistantMessage, ToolLoop } from './tool-loop.js';
import { actionTools } from './tools.js';

/** The tool the model calls to end the conversation. */
export const END_TOOL = 'end_conversation';
export const DEFAULT_MAX_TURNS = 20;

export interface ConversationSettings {
  readonly tools: readonly string[];
  readonly outputSchema?: unknown;
  readonly maxTurns: number;
  readonly firstTurn: 'model' | 'person';
  readonly maxToolRounds: number;
  readonly maxOutputRetries: number;
  readonly maxOutputTokens?: number;
}

export interface ConversationContext {
  readonly request: StepRequest;
  readonly step: AiStepInput;
  readonly settings: ConversationSettings;
  readonly entry: ModelEntry;
  readonly actions: ActionRegistry;
  readonly meter: StepMeter;
  readonly now: () => number;
  /** The model's text as it is written (live, not stored). */
  readonly onText?: (delta: string) => void;
}

export interface Line {
  readonly from: 'model' | 'person';
  readonly text: string;
  readonly by?: string;
}

/** A conversation's output. */
export interface ConversationOutput {
  readonly ended: 'model' | 'person' | 'max_turns';
  /** The model's replies. */
  readonly turns: number;
  readonly transcript: readonly Line[];
  /** What the model gave `end_conversation` (satisfying outputSchema when there is one). */
  readonly result?: unknown;
}

const WAITING = { waitingFor: 'message' } as const;

export async function converse(ctx: ConversationContext): Promise<StepOutcome> {
  const { request, step } = ctx;
  if (request.item !== undefined) {
    throw new RunloomError('AI_CONVERSATION_IN_MAP', `ai step '${request.nodeId}': a map item cannot hold a conversation`);
  }
  if (step.prompt === undefined || step.prompt.trim() === '') {
    throw new RunloomError(
      'AI_PROMPT_MISSING',
      `ai step '${request.nodeId}' has no prompt (the model's brief for the conversation)`,
    );
  }
  const journal = new StepJournal(request, ctx.meter);
  let waiting = false;
  const result = await paid(ctx.meter, journal, async () => {
    const output = await talk(ctx, journal);
    waiting = output === undefined;
    return output;
  });
  return waiting ? WAITING : result;
}

/** The conversation so far, folded from the journal, and on until it ends or waits (undefined). */
async function talk(ctx: ConversationContext, journal: StepJournal): Promise<ConversationOutput | undefined> {
  const { settings } = ctx;
  const loop = new ToolLoop({
    request: ctx.request,
    entry: ctx.entry,
    actions: ctx.actions,
    journal,
    now: ctx.now,
    system: systemText(ctx.step.system),
    ...(settings.tools.length > 0 ? { tools: actionTools(ctx.actions, settings.tools) } : {}),
    ownTools: endTool(settings.outputSchema),
    maxToolRounds: settings.maxToolRounds,
    ...(settings.maxOutputTokens ? { maxOutputTokens: settings.maxOutputTokens } : {}),
    ...(ctx.onText ? { onText: ctx.onText } : {}),
  });
  const check = settings.outputSchema === undefined ? undefined : compileSchemaCheck(settings.outputSchema);
  const messages: ModelMessage[] = [{ role: 'user', content: ctx.step.prompt as string }];
  const transcript: Line[] = [];
  const done = (ended: ConversationOutput['ended'], turns: number, result?: unknown): ConversationOutput =>
    result === undefined ? { ended, turns, transcript } : { ended, turns, transcript, result };
  // The person's next message into the conversation; false when it has not come or ended it.
  const hear = (): 'heard' | 'wait' | 'ended' => {
    const message = journal.message();
    if (!message) return 'wait';
    if (message.text.trim() !== '') {
      transcript.push(
        message.by === undefined
          ? { from: 'person', text: message.text }
          : { from: 'person', text: message.text, by: message.by },
      );
      messages.push({ role: 'user', content: message.text });
    }
    return message.end ? 'ended' : 'heard';
  };
  if (settings.firstTurn === 'person') {
    const heard = hear();
    if (heard === 'wait') return undefined;
    if (heard === 'ended') return done('person', 0);
  }
  for (let turns = 1; ; turns++) {
    loop.newTurn();
    const reply = await nextReply(ctx, loop, messages, check);
    if (reply.text) transcript.push({ from: 'model', text: reply.text });
    if ('result' in reply) return done('model', turns, reply.result);
    messages.push(assistantMessage(reply.answer));
    if (turns >= settings.maxTurns) return done('max_turns', turns);
    const heard = hear();
    if (heard === 'wait') return undefined;
    if (heard === 'ended') return done('person', turns);
  }
}

type Reply = { text: string; answer: ModelAnswer } | { text: string; result: unknown };

/**
 * The model's next reply to the person, or its end of the conversation. An end whose result
 * fails outputSchema is answered with the problems, at most maxOutputRetries times.
 */
async function nextReply(
  ctx: ConversationContext,
  loop: ToolLoop,
  messages: ModelMessage[],
  check: ((value: unknown) => string[] | null) | undefined,
): Promise<Reply> {
  for (let repairs = 0; ; repairs++) {
    const answer = await loop.answer(messages);
    const end = answer.toolCalls.find((c) => c.tool === END_TOOL);
    if (!end) return { text: answer.text, answer };
    const problems = check ? check(end.input) : null;
    if (!problems) return { text: answer.text, result: end.input ?? {} };
    if (repairs >= ctx.settings.maxOutputRetries) {
      throw new RunloomError(
        'AI_OUTPUT_INVALID',
        `ai step '${ctx.request.nodeId}': the conversation's result does not satisfy outputSchema after ${repairs + 1} tries: ${problems.join('; ')}`,
        { details: { problems, result: end.input } },
      );
    }
    messages.push(assistantMessage(answer));
    messages.push({
      role: 'tool',
      content: answer.toolCalls.map((c) => ({
        type: 'tool-result' as const,
        toolCallId: c.id,
        toolName: c.tool,
        output: {
          type: 'error-text' as const,
          value:
            c === end
              ? `not valid: ${problems.join('; ')}; call ${END_TOOL} again with a corrected result`
              : 'not run: the conversation was ending',
        },
      })),
    });
  }
}

function endTool(outputSchema: unknown): ToolSet {
  const schema = outputSchema ?? {
    type: 'object',
    properties: { summary: { type: 'string', description: 'what was agreed, in one or two sentences' } },
  };
  return {
    [END_TOOL]: tool({
      description: 'End the conversation once its purpose is reached (or cannot be), with its result.',
      inputSchema: jsonSchema(schema as Parameters<typeof jsonSchema>[0]),
    }),
  };
}

function systemText(system: string | undefined): string {
  const rule = `You are in a conversation with a person. Each of your replies without a tool call is sent to them, and they answer. When the conversation's purpose is reached, call ${END_TOOL}.`;
  return system ? `${system}\n\n${rule}` : rule;
}
