/**
 * One message's answer, streamed with the AI SDK's `streamText` from the model `src/ai/models`
 * resolves. Never throws: it ends `completed`, `failed` (the provider's error) or `cancelled`
 * (the signal fired mid-stream: the partial text is kept). Usage is what the provider reported;
 * when it reported none (a cancel before the end, a provider without usage) the tokens are
 * counted with the real tokenizer, and priced the same way (`src/ai/pricing`).
 */
import { type ModelMessage, streamText } from 'ai';
import type { ModelEntry } from '../ai/models.js';
import { countTokens, tokenCount } from '../ai/tokens.js';
import { RunloomError, toErrorInfo } from '../errors.js';
import type { PromptDefinition } from './template.js';

export interface AnswerRequest {
  readonly entry: ModelEntry;
  readonly system?: string;
  readonly messages: readonly ModelMessage[];
  readonly settings: PromptDefinition['settings'];
  readonly signal: AbortSignal;
  readonly onText: (delta: string) => void;
  readonly now: () => number;
}

export interface Answer {
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly text: string;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly usageEstimated: boolean;
  readonly credits: number;
  readonly ttftMs?: number;
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export async function streamAnswer(request: AnswerRequest): Promise<Answer> {
  const { now, entry } = request;
  const started = now();
  let firstToken: number | undefined;
  let text = '';
  let reported: { inputTokens?: number; outputTokens?: number } | undefined;
  let failure: unknown;
  try {
    const result = streamText({
      model: await entry.model(),
      ...(request.system ? { system: request.system } : {}),
      messages: [...request.messages],
      ...request.settings,
      abortSignal: request.signal,
      // A failed message is the user's to send again; the SDK's silent retries would hide it.
      maxRetries: 0,
      // The error reaches the loop below as an `error` part and is recorded on the task.
      onError: () => {},
    });
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        firstToken ??= now();
        text += part.text;
        request.onText(part.text);
      } else if (part.type === 'finish-step') {
        reported = part.usage;
      } else if (part.type === 'finish') {
        reported = part.totalUsage;
      } else if (part.type === 'error') {
        failure = part.error;
        break;
      }
    }
  } catch (error) {
    failure = error;
  }
  const cancelled = request.signal.aborted;
  const status = cancelled ? 'cancelled' : failure === undefined ? 'completed' : 'failed';
  // A failed request is not billed unless the provider said so; a cancelled one is: the
  // provider read the prompt and wrote the partial answer.
  const usageKnown = reported?.inputTokens !== undefined && reported.outputTokens !== undefined;
  const counted = status !== 'failed' && !usageKnown;
  const tokensIn = usageKnown ? (reported?.inputTokens as number) : counted ? countTokens(request.system, request.messages) : 0;
  const tokensOut = usageKnown ? (reported?.outputTokens as number) : counted ? tokenCount(text) : 0;
  const ended = now();
  return {
    status,
    text,
    tokensIn,
    tokensOut,
    usageEstimated: counted,
    credits: entry.pricing.credits({ inputTokens: tokensIn, outputTokens: tokensOut }),
    ...(firstToken === undefined ? {} : { ttftMs: firstToken - started }),
    durationMs: ended - started,
    ...(status === 'failed' ? { error: errorOf(entry, failure) } : {}),
  };
}

function errorOf(entry: ModelEntry, error: unknown): { code: string; message: string } {
  if (error instanceof RunloomError) return { code: error.code, message: error.message };
  const { message } = toErrorInfo(error);
  return { code: 'MODEL_ERROR', message: `model '${entry.name}' (${entry.provider} ${entry.modelId}) failed: ${message}` };
}
