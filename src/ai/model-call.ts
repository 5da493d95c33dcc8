/**
 * One call to a model, streamed: the text as it comes (for live display), the tool calls it
 * asks for, the usage it reports, time to first token and duration. Every model call of every
 * strategy goes through here, so a call is accounted for the same way wherever it is made.
 */
import { type ModelMessage, streamText, type ToolSet } from 'ai';
import { RunloomError } from '../errors.js';
import type { ModelEntry } from './models.js';
import { countTokens, tokenCount } from './tokens.js';

export interface ToolCallRequest {
  readonly id: string;
  readonly tool: string;
  readonly input: unknown;
}

export interface ModelAnswer {
  readonly text: string;
  readonly toolCalls: readonly ToolCallRequest[];
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The provider reported no usage: tokens were counted with gpt-tokenizer instead. */
  readonly usageEstimated: boolean;
  readonly credits: number;
  readonly ttftMs: number;
  readonly durationMs: number;
  readonly finishReason: string;
}

export interface ModelCallRequest {
  readonly entry: ModelEntry;
  readonly system?: string;
  readonly messages: readonly ModelMessage[];
  readonly tools?: ToolSet;
  readonly maxOutputTokens?: number;
  readonly signal?: AbortSignal;
  /** Each piece of text as it is written (live, not stored). */
  readonly onText?: (delta: string) => void;
  readonly now?: () => number;
}

export async function callModel(request: ModelCallRequest): Promise<ModelAnswer> {
  const now = request.now ?? Date.now;
  const started = now();
  let firstToken: number | undefined;
  let text = '';
  const toolCalls: ToolCallRequest[] = [];
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let finishReason = 'unknown';
  const result = streamText({
    model: await request.entry.model(),
    ...(request.system ? { system: request.system } : {}),
    messages: [...request.messages],
    ...(request.tools ? { tools: request.tools } : {}),
    ...(request.maxOutputTokens ? { maxOutputTokens: request.maxOutputTokens } : {}),
    ...(request.signal ? { abortSignal: request.signal } : {}),
    // Retries are the step's (its retry policy, recorded); the SDK's own would be invisible.
    maxRetries: 0,
    // The error part below fails the step; the SDK's default would also print it to stderr.
    onError: () => {},
  });
  for await (const part of result.fullStream) {
    switch (part.type) {
      case 'text-delta':
        firstToken ??= now();
        text += part.text;
        request.onText?.(part.text);
        break;
      case 'tool-call':
        firstToken ??= now();
        toolCalls.push({ id: part.toolCallId, tool: part.toolName, input: part.input });
        break;
      case 'finish':
        inputTokens = part.totalUsage.inputTokens;
        outputTokens = part.totalUsage.outputTokens;
        finishReason = part.finishReason;
        break;
      case 'error':
        throw modelError(request.entry, part.error);
      default:
        break;
    }
  }
  const ended = now();
  const usageEstimated = inputTokens === undefined || outputTokens === undefined;
  const usage = {
    inputTokens: inputTokens ?? countTokens(request.system, request.messages),
    outputTokens: outputTokens ?? tokenCount(text + toolCalls.map((c) => JSON.stringify(c.input)).join('')),
  };
  return {
    text,
    toolCalls,
    ...usage,
    usageEstimated,
    credits: request.entry.pricing.credits(usage),
    ttftMs: (firstToken ?? ended) - started,
    durationMs: ended - started,
    finishReason,
  };
}

function modelError(entry: ModelEntry, error: unknown): RunloomError {
  // Ours already (a cassette miss): it names what failed and knows whether to retry.
  if (error instanceof RunloomError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { statusCode?: number }).statusCode;
  // Rate limits, overload and server errors are worth another attempt; a bad request is not.
  const retryable = status === undefined || status === 408 || status === 429 || status >= 500;
  return new RunloomError('MODEL_ERROR', `model '${entry.name}' (${entry.provider} ${entry.modelId}) failed: ${message}`, {
    retryable,
    details: status === undefined ? undefined : { status },
    cause: error,
  });
}
